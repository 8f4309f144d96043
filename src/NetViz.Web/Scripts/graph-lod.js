// Level of detail for the "lanes" picture.
//
// Overview (the fitted view of a real host): a namespace is one tile whose label says who lives there
// ("nvlay-web01 / bridge · 172.17.0.5"), its interfaces shrink to connector dots on the tile's top and
// the container badges step aside; bridges and host-mode containers are written large. Detail (zoomed
// in, or the tile is selected): every interface with its name and address, as graph-style.js draws it.
// The lanes layout reserves the larger of the two footprints, so switching never makes boxes overlap.

import { measureLabel, displayLabel, tagSize, TAG_TEXT_SHIFT } from './graph-style.js';

/**
 * Sizes shared by the layout (footprints) and the stylesheet. A tile's footprint is set by its
 * overview text (ovFont, large); its detail (interfaces, badges) is drawn in a small model font
 * (dFont) that fits inside the same footprint and becomes readable as you zoom in: detail is shown
 * once dFont reaches detailPx on screen. font/pad are graph-style.js's (bridges keep its detail size).
 */
export function lodMetrics(projector) {
  return projector
    ? { font: 22, pad: 12, dFont: 13, dSmall: 11, dPad: 6, nsPad: 10, ovFont: 38, ovSmall: 22, dotW: 22, dotH: 14, detailPx: 18, ovAddr: false }
    : { font: 13, pad: 8, dFont: 10, dSmall: 9, dPad: 4, nsPad: 10, ovFont: 20, ovSmall: 13, dotW: 14, dotH: 9, detailPx: 12, ovAddr: true };
}

const lines = label => String(label ?? '').split('\n').length;

function box(label, font, weight, padX, padY, minW, minH) {
  return {
    w: Math.max(minW, measureLabel(label, font, weight) + 2 * padX),
    h: Math.max(minH, lines(label) * font * 1.25 + 2 * padY),
  };
}

/** The node's size when drawn in detail in the lanes picture (inside tiles: the small dFont). */
export function detailSize(kind, type, label, projector) {
  const m = lodMetrics(projector);
  if (kind === 'interface') {
    if (type === 'bridge') return box(label, m.font, 'bold', m.pad * 3, m.pad, projector ? 200 : 130, projector ? 54 : 36);
    if (type === 'loopback') return box(label, m.dSmall, 'normal', m.dPad, m.dPad - 1, projector ? 34 : 28, projector ? 20 : 16);
    return box(label, m.dFont, 'normal', m.dPad + 2, m.dPad, projector ? 44 : 36, projector ? 26 : 20);
  }
  if (kind === 'container') return tagSize(label, m.dFont, m.dPad * 1.5, m.dPad, projector ? 80 : 60, projector ? 28 : 22);
  return null;
}

/**
 * The size graph-style.js gives a node outside tiles (its sizedBox per kind), computed from the label so
 * the layout needs no styled element: laying out before Cytoscape styles anything saves a style pass.
 */
export function styledSize(kind, type, label, projector) {
  const m = lodMetrics(projector);
  const titleFont = projector ? 24 : 14;
  const smallFont = projector ? 18 : 11;
  switch (kind) {
    case 'interface':
      if (type === 'bridge') return box(label, m.font, 'bold', m.pad * 3, m.pad, projector ? 200 : 130, projector ? 54 : 36);
      if (type === 'loopback') return box(label, smallFont, 'normal', m.pad, m.pad - 3, projector ? 50 : 34, projector ? 32 : 22);
      return box(label, m.font, type === 'device' ? 'bold' : 'normal', m.pad + 2, m.pad - 2, projector ? 70 : 44, projector ? 40 : 26);
    case 'container':
      return tagSize(label, m.font, m.pad * 1.5, m.pad, projector ? 110 : 80, projector ? 48 : 32);
    case 'network':
      return box(label, m.font, 'bold', m.pad * 3, m.pad - 2, projector ? 100 : 70, projector ? 44 : 28);
    case 'external':
      return box(label, titleFont, 'bold', m.pad * 4, m.pad * 2.5, projector ? 220 : 150, projector ? 110 : 76);
    default:
      return box(label, m.font, 'normal', m.pad, m.pad, 60, 30);
  }
}

/** Network tags are second to their bridge in a lane's heading: large, but less than the bridge. */
export function tagFont(projector) {
  return Math.round(lodMetrics(projector).ovFont * 0.78);
}

/** A bridge, network tag, host interface or host-mode container at overview size (written large). */
export function overviewBadgeSize(kind, label, projector, type) {
  const m = lodMetrics(projector);
  if (kind === 'container') return tagSize(label, m.ovFont, m.pad * 1.5, m.pad, projector ? 110 : 80, projector ? 48 : 32);
  if (kind === 'network') return box(label, tagFont(projector), 'bold', m.pad * 3, m.pad - 2, projector ? 100 : 70, projector ? 44 : 28);
  if (kind === 'interface' && type !== 'bridge') return box(label, m.ovFont, 'bold', m.pad + 2, m.pad - 2, projector ? 70 : 44, projector ? 40 : 26);
  return box(label, m.ovFont, 'bold', m.pad * 3, m.pad, projector ? 200 : 130, projector ? 54 : 36);
}

/** A NAT gate's overview text: its target, and the published port of a DNAT ("DNAT :8080"). */
export function gateShort(label) {
  const first = String(label ?? '').split('\n')[0];
  const dnat = /^DNAT\b.*:(\d+)$/.exec(first);
  return dnat ? `DNAT :${dnat[1]}` : first.split(' ')[0];
}

/** A NAT gate in the lanes picture: detail (rule and counters in the small font) and overview size. */
export function gateSize(ele, projector) {
  const m = lodMetrics(projector);
  const d = box(displayLabel(ele), m.dFont, 'bold', m.dPad * 2.5, m.dPad * 1.2, projector ? 120 : 90, projector ? 48 : 36);
  const o = box(gateShort(ele.data('label')), m.ovSmall, 'bold', m.dPad * 2.5, m.dPad * 1.2, projector ? 120 : 90, projector ? 48 : 36);
  return { detail: d, overview: o, w: Math.max(d.w, o.w), h: Math.max(d.h, o.h) };
}

/** The text of a namespace tile: the server's data.tile, else the box title without its inode. */
export function tileText(node) {
  const tile = node.data('tile');
  if (typeof tile === 'string' && tile.length) return tile;
  return String(node.data('label') ?? '').replace(/\s*·\s*netns \d+$/, '') || String(node.data('label') ?? '');
}

/** Width and height of a tile's overview label. */
export function tileLabelSize(text, projector) {
  const m = lodMetrics(projector);
  return { w: measureLabel(text, m.ovFont, 'bold'), h: lines(text) * m.ovFont * 1.25 };
}

/**
 * Extra stylesheet rules for the lanes layout (appended after graph-style.js's rules, so they win).
 * Classes, all set by the graph module: nv-lanes (element is laid out in lanes), nv-ov (drawn at
 * overview detail), nv-tile (a namespace box drawn as a tile), nv-port (a host-side port on a rail).
 */
export function lanesStyle(palette, projector) {
  const m = lodMetrics(projector);
  const p = palette;
  return [
    {
      // The host namespace is drawn by the lane underlay (one strip per lane and the host band), not as
      // one box around everything: its children spread over the whole picture.
      selector: 'node.kind-netns.host.nv-lanes',
      style: {
        'background-opacity': 0,
        'border-width': 0,
        label: '',
        events: 'no',
        padding: 0,
      },
    },
    {
      // A hub's host box holds its lanes picture, decor included (lanes-layout.js placeHosts): the host band
      // and lane frames can reach beyond the nodes, so the box is at least the picture's size, grown on that side.
      selector: 'node.kind-host.nv-lanes',
      style: {
        'min-width': ele => ele.data('nvMinW') ?? 0,
        'min-height': ele => ele.data('nvMinH') ?? 0,
        'min-width-bias-left': ele => `${ele.data('nvBiasL') ?? 50}%`,
        'min-width-bias-right': ele => `${100 - (ele.data('nvBiasL') ?? 50)}%`,
        'min-height-bias-top': ele => `${ele.data('nvBiasT') ?? 50}%`,
        'min-height-bias-bottom': ele => `${100 - (ele.data('nvBiasT') ?? 50)}%`,
      },
    },
    {
      // Detail inside tiles (and on the rails): the small font, sized like the layout reserved.
      selector: 'node.kind-interface.nv-dot, node.kind-interface.nv-quiet',
      style: {
        'font-size': ele => (ele.data('type') === 'loopback' ? m.dSmall : m.dFont),
        width: ele => detailSize('interface', ele.data('type'), ele.data('label'), projector).w,
        height: ele => detailSize('interface', ele.data('type'), ele.data('label'), projector).h,
        'border-width': projector ? 3 : 1.5,
      },
    },
    {
      selector: 'node.kind-container.nv-quiet',
      style: {
        'font-size': m.dFont,
        'text-margin-x': ele => TAG_TEXT_SHIFT * detailSize('container', null, ele.data('label'), projector).w,
        width: ele => detailSize('container', null, ele.data('label'), projector).w,
        height: ele => detailSize('container', null, ele.data('label'), projector).h,
        'border-width': projector ? 3 : 1.5,
      },
    },
    {
      selector: 'node.kind-nat-rule.nv-gate',
      style: {
        'font-size': m.dFont,
        width: ele => gateSize(ele, projector).detail.w,
        height: ele => gateSize(ele, projector).detail.h,
      },
    },
    {
      selector: 'node.kind-nat-rule.nv-gate.nv-ov',
      style: {
        label: ele => gateShort(ele.data('label')),
        'font-size': m.ovSmall,
        width: ele => gateSize(ele, projector).overview.w,
        height: ele => gateSize(ele, projector).overview.h,
      },
    },
    {
      selector: 'node.kind-netns.nv-tile',
      style: {
        padding: m.nsPad,
        // The title sits inside at the bottom (the layout reserved its height), not hanging below.
        label: ele => ele.data('nvTitle') ?? ele.data('label'),
        'font-size': m.dFont + 1,
        'text-margin-y': ele => -((ele.data('nvTitleH') ?? 14) + m.nsPad * 0.6),
        'text-background-padding': projector ? 3 : 2,
        'border-width': projector ? 3 : 1.5,
        'min-width': ele => ele.data('nvMinW') ?? 0,
        'min-height': ele => ele.data('nvMinH') ?? 0,
        'min-height-bias-top': 0,
        'min-height-bias-bottom': 100,
        // The detail title wraps to the tile rather than widening it.
        'text-max-width': ele => Math.max(60, (ele.data('nvMinW') ?? 100) + 2 * m.nsPad - 12),
      },
    },
    {
      selector: 'node.kind-netns.nv-tile.nv-ov',
      style: {
        // Overview starts lower (its dots are smaller than the ports): its own minimum keeps the same bottom.
        'min-height': ele => ele.data('nvMinHOv') ?? ele.data('nvMinH') ?? 0,
        label: ele => ele.data('nvTile') ?? '',
        'text-valign': 'center',
        'text-halign': 'center',
        'text-margin-y': ele => ele.data('nvDy') ?? 0,
        'text-max-width': 10000,
        'font-size': m.ovFont,
        'font-weight': 'bold',
        color: p.text,
        'text-background-opacity': 0,
        'text-wrap': 'wrap',
        'line-height': 1.25,
      },
    },
    {
      // A tile with nothing shown inside: Cytoscape sizes it around its own position each time its style is
      // recomputed, and a minimum height grown downwards moved it down a little every time (off its lane after a
      // few diffs). Grown on both sides, it stays where the layout put it (lanes-layout.js placeTile centres it).
      selector: 'node.kind-netns.nv-tile.nv-bare',
      style: {
        'min-height-bias-top': '50%',
        'min-height-bias-bottom': '50%',
      },
    },
    {
      // Ports become connector dots: the cable still ends on the tile, the text is on the tile.
      selector: 'node.kind-interface.nv-ov.nv-dot',
      style: {
        width: m.dotW,
        height: m.dotH,
        label: '',
        'border-width': Math.max(1, m.dotH / 5),
      },
    },
    {
      // A namespace's interface shows its address under its dot.
      selector: 'node.kind-interface.nv-ov.nv-dot.nv-addr',
      style: {
        // In projector mode the overview shows names only: addresses are a zoom away.
        label: ele => (m.ovAddr ? ele.data('nvAddr') ?? '' : ''),
        'font-size': m.ovSmall,
        'font-weight': 'normal',
        'text-valign': 'bottom',
        'text-margin-y': 2,
        color: p.text,
        'text-outline-width': 0,
      },
    },
    {
      selector: 'node.nv-ov.nv-quiet',
      style: { visibility: 'hidden' },
    },
    {
      selector: 'node.kind-interface.type-bridge.nv-ov, node.nv-ov.nv-big',
      style: {
        'font-size': ele => (ele.data('kind') === 'network' ? tagFont(projector) : m.ovFont),
        width: ele => overviewBadgeSize(ele.data('kind'), ele.data('label'), projector, ele.data('type')).w,
        height: ele => overviewBadgeSize(ele.data('kind'), ele.data('label'), projector, ele.data('type')).h,
      },
    },
    {
      selector: 'node.kind-container.nv-ov.nv-big',
      style: { 'text-margin-x': ele => TAG_TEXT_SHIFT * overviewBadgeSize('container', ele.data('label'), projector).w },
    },
    {
      // The bridge's ports hang on a rail: each cable turns once just above its port and runs along the
      // rail to the trunk under the bridge, so one bridge with many rows reads as one bus.
      selector: 'edge.kind-bridge-port.nv-rail',
      style: {
        'curve-style': 'taxi',
        'taxi-direction': 'upward',
        'taxi-turn': ele => ele.data('nvTurn') ?? 12,
        'taxi-turn-min-distance': 0,
      },
    },
    {
      selector: 'edge.kind-bridge-port.nv-rail.nv-ov',
      style: { 'taxi-turn': ele => ele.data('nvTurnOv') ?? 12 },
    },
    {
      // A gate's arrow to or from the outside world: along the gutter above its shelf and the margin
      // left of the lanes (lanes-layout.js egressRoutes), turning where the layout says.
      selector: 'edge.nv-egress',
      style: {
        'curve-style': 'taxi',
        'taxi-direction': 'upward',
        'edge-distances': 'node-position',
        'taxi-turn': ele => ele.data('nvEgressTurn') ?? 20,
        'taxi-turn-min-distance': 0,
      },
    },
    {
      selector: 'edge.nv-egress.nv-egress-in',
      style: { 'taxi-direction': 'downward' },
    },
    {
      // Crossing arrows under the tiles, not over their labels.
      selector: 'edge.kind-nat.nv-lanes, edge.kind-route.nv-lanes, edge.kind-attachment.nv-lanes',
      style: { 'z-compound-depth': 'bottom' },
    },
  ];
}

/** Colours for the lane underlay: the palette's host colours plus a faint lane frame. */
export function underlayPalette(themeName, palette) {
  const dark = themeName === 'dark';
  return {
    ...palette,
    laneFill: dark ? 'rgba(255,255,255,0.03)' : 'rgba(23,32,42,0.025)',
    laneBorder: dark ? 'rgba(139,155,176,0.55)' : 'rgba(120,135,154,0.6)',
  };
}

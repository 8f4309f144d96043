// Visual language of the NetViz graph: the Cytoscape stylesheet over the palettes (light/dark) of
// graph-contract.json, which the C# legend reads too. The picture is shown on classroom projectors, so
// every colour pair there was chosen for contrast (text on fill >= 4.5:1) and every label has an outline
// in the background colour.

import contract from './graph-contract.json';

/**
 * The share of a (round-)tag's width its text may use: Cytoscape's tag body is the left 62.5 % and its point the
 * rest; text one line high may run a third into the point before the taper meets it. The text is centred on that
 * share (TAG_TEXT_SHIFT of the width to the left), so a long name never runs onto the point.
 */
const TAG_TEXT_SHARE = 0.75;
export const TAG_TEXT_SHIFT = -0.125;

const FONT_FAMILY = 'system-ui, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif';

/** Light and dark palettes: keys are the colour roles the stylesheet below (and the C# legend) use. */
export const palettes = contract.palettes;

/** Sizes for normal and projector mode (projector: big labels, thick lines, heavier borders). */
function metrics(projector) {
  return projector
    ? { font: 22, smallFont: 18, titleFont: 24, border: 4, hostBorder: 7, veth: 9, port: 6, thin: 5, arrow: 1.6, pad: 12 }
    : { font: 13, smallFont: 11, titleFont: 14, border: 2, hostBorder: 4, veth: 5, port: 3, thin: 2, arrow: 1.2, pad: 8 };
}

let measureContext = null;
const measureCache = new Map();

/** Width in px of the widest line of a (possibly multi-line) label at a font size. */
export function measureLabel(label, fontSize, weight) {
  // Two levels (font, then label): the layout and the stylesheet ask ~100 000 times at 300 namespaces, and a key
  // concatenated from the label would be built and hashed anew on every call; the label strings themselves are
  // the elements' own, hashed once.
  const text = typeof label === 'string' ? label : String(label ?? '');
  const fontKey = `${weight}|${fontSize}`;
  let byLabel = measureCache.get(fontKey);
  if (byLabel === undefined) {
    if (measureCache.size > 64) measureCache.clear();
    byLabel = new Map();
    measureCache.set(fontKey, byLabel);
  }
  const cached = byLabel.get(text);
  if (cached !== undefined) return cached;
  if (!measureContext) {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
    measureContext = canvas.getContext('2d');
  }
  measureContext.font = `${weight} ${fontSize}px ${FONT_FAMILY}`;
  let width = 0;
  for (const line of text.split('\n')) {
    width = Math.max(width, measureContext.measureText(line).width);
  }
  // Bounded, but above what a 300-namespace host needs per font: a cache that is cleared on every diff measures
  // everything again.
  if (byLabel.size > 20000) byLabel.clear();
  byLabel.set(text, width);
  return width;
}

function lineCount(label) {
  return String(label ?? '').split('\n').length;
}

/** A container badge (a round-tag) around a bold label: wide enough for it on the tag's body (TAG_TEXT_SHARE). */
export function tagSize(label, font, padX, padY, minW, minH) {
  return {
    w: Math.max(minW, (measureLabel(label, font, 'bold') + 2 * padX) / TAG_TEXT_SHARE),
    h: Math.max(minH, lineCount(label) * font * 1.25 + 2 * padY),
  };
}

function formatCount(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return null;
  if (n < 1000) return String(n);
  const units = ['k', 'M', 'G', 'T'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}${units[i]}`;
}

function formatBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return null;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/**
 * The text a node shows. NAT rules get a live counter line built from data.packets/data.bytes
 * (iptables-save -c counters), so the server sends only the rule text in data.label.
 */
export function displayLabel(ele) {
  const label = ele.data('label') ?? '';
  if (ele.data('kind') === 'nat-rule') {
    const packets = formatCount(ele.data('packets'));
    const bytes = formatBytes(ele.data('bytes'));
    if (packets !== null) return `${label}\n${packets} pkts${bytes !== null ? ` · ${bytes}` : ''}`;
  }
  return label;
}

/** Builds the complete stylesheet for a theme and projector flag. */
export function buildStyle(themeName, projector) {
  return checkedAgainstContract(stylesheet(themeName, projector));
}

function stylesheet(themeName, projector) {
  const p = palettes[themeName] ?? palettes.light;
  const m = metrics(projector);

  const containerTag = ele => tagSize(displayLabel(ele), m.font, m.pad * 1.5, m.pad, projector ? 110 : 80, projector ? 48 : 32);
  const sizedBox = (fontSize, weight, padX, padY, minW, minH) => ({
    width: ele => Math.max(minW, measureLabel(displayLabel(ele), fontSize, weight) + 2 * padX),
    height: ele => Math.max(minH, lineCount(displayLabel(ele)) * fontSize * 1.25 + 2 * padY),
  });

  return [
    // ---- defaults -------------------------------------------------------------------------
    {
      selector: 'node',
      style: {
        label: ele => displayLabel(ele),
        'font-family': FONT_FAMILY,
        'font-size': m.font,
        color: p.text,
        'text-wrap': 'wrap',
        'text-valign': 'center',
        'text-halign': 'center',
        'text-justification': 'center',
        'line-height': 1.25,
        // Labels smaller than this on screen are unreadable anyway; skipping them keeps a zoomed-out
        // 300-namespace picture fast to draw (docs/benchmarks.md, dashboard rendering).
        'min-zoomed-font-size': 7,
        'border-width': m.border,
        'border-color': p.interfaceBorder,
        'background-color': p.interfaceFill,
        shape: 'round-rectangle',
        'transition-property': 'underlay-opacity, underlay-padding, opacity',
        'transition-duration': 400,
        'underlay-opacity': 0,
        'underlay-padding': 0,
      },
    },
    {
      selector: 'edge',
      style: {
        width: m.thin,
        'line-color': p.genericEdge,
        'target-arrow-color': p.genericEdge,
        'source-arrow-color': p.genericEdge,
        'curve-style': 'bezier',
        'arrow-scale': m.arrow,
        // Edges cross namespace walls: draw them above every box so the "cable" stays visible.
        'z-compound-depth': 'top',
        'font-family': FONT_FAMILY,
        'font-size': m.smallFont,
        color: p.text,
        'text-outline-color': p.textOutline,
        'text-outline-width': 3,
        'transition-property': 'underlay-opacity, underlay-padding, opacity',
        'transition-duration': 400,
        'underlay-opacity': 0,
        'underlay-padding': 0,
      },
    },

    // ---- network namespaces: boxes with a title tab on the top wall ----------------------
    {
      selector: 'node.kind-netns',
      style: {
        shape: 'round-rectangle',
        'background-color': p.netnsFill,
        'background-opacity': 1,
        'border-color': p.netnsBorder,
        'border-width': m.border,
        padding: projector ? 34 : 24,
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': projector ? 16 : 11,
        'font-size': m.titleFont,
        'font-weight': 'bold',
        color: p.netnsTitleText,
        'text-background-color': p.netnsTitleFill,
        'text-background-opacity': 1,
        'text-background-shape': 'round-rectangle',
        'text-background-padding': projector ? 6 : 4,
        'text-outline-width': 0,
        // A namespace whose only interface is hidden (e.g. lo under "hide loopback") keeps its box.
        'min-width': projector ? 180 : 120,
        'min-height': projector ? 70 : 50,
        'compound-sizing-wrt-labels': 'include',
      },
    },
    {
      // Cables enter container boxes from above (from the host), so their title sits on the bottom wall.
      selector: 'node.kind-netns',
      style: {
        'text-valign': 'bottom',
        'text-margin-y': projector ? -16 : -11,
      },
    },
    {
      selector: 'node.kind-netns.host',
      style: {
        // Cables leave the host box downwards; its title stays on the top wall.
        'text-valign': 'top',
        'text-margin-y': projector ? 16 : 11,
        'background-color': p.hostFill,
        'border-color': p.hostBorder,
        'border-width': m.hostBorder,
        'text-background-color': p.hostTitleFill,
      },
    },
    {
      selector: 'node.kind-netns.empty-ns',
      style: {
        'border-style': 'dashed',
      },
    },

    // ---- hosts (hub only): one box per agent around its namespaces; grey while it does not answer ----
    {
      selector: 'node.kind-host',
      style: {
        shape: 'round-rectangle',
        'background-opacity': 0.04,
        'border-color': p.hostBorder,
        'border-width': m.hostBorder,
        'border-style': 'double',
        padding: projector ? 40 : 28,
        'text-valign': 'top',
        'text-halign': 'center',
        'font-size': m.titleFont,
        'font-weight': 'bold',
        color: p.netnsTitleText,
        'text-outline-width': 0,
        // A title tab like a namespace box's: white text on the host colour, readable over any background.
        'text-background-color': p.hostTitleFill,
        'text-background-opacity': 1,
        'text-background-padding': projector ? 8 : 5,
        'text-background-shape': 'round-rectangle',
        'compound-sizing-wrt-labels': 'include',
      },
    },
    {
      selector: 'node.kind-host.down',
      style: {
        opacity: 0.45,
        'border-style': 'dashed',
      },
    },

    // ---- interfaces: small round rectangles, name + first address inside ------------------
    {
      selector: 'node.kind-interface',
      style: {
        ...sizedBox(m.font, 'normal', m.pad + 2, m.pad - 2, projector ? 70 : 44, projector ? 40 : 26),
        shape: 'round-rectangle',
        'background-color': p.interfaceFill,
        'border-color': p.interfaceBorder,
        color: p.interfaceText,
        'text-outline-width': 0,
      },
    },
    {
      selector: 'node.kind-interface.type-veth',
      style: { 'background-color': p.vethFill, 'border-color': p.vethBorder },
    },
    {
      selector: 'node.kind-interface.host-device, node.kind-interface.type-device',
      style: { 'background-color': p.deviceFill, 'border-color': p.deviceBorder, 'border-width': m.border + 1, 'font-weight': 'bold' },
    },
    {
      selector: 'node.kind-interface.type-macvlan, node.kind-interface.type-ipvlan, node.kind-interface.type-vxlan, node.kind-interface.type-vlan, node.kind-interface.type-tun, node.kind-interface.type-tap, node.kind-interface.type-wireguard',
      style: { 'background-color': p.virtualFill, 'border-color': p.virtualBorder },
    },
    {
      // A bridge is a virtual switch: wider barrel shape in amber, bold name.
      selector: 'node.kind-interface.type-bridge',
      style: {
        ...sizedBox(m.font, 'bold', m.pad * 3, m.pad, projector ? 200 : 130, projector ? 54 : 36),
        shape: 'barrel',
        'background-color': p.bridgeFill,
        'border-color': p.bridgeBorder,
        'border-width': m.border + 1,
        color: p.bridgeText,
        'font-weight': 'bold',
      },
    },
    {
      selector: 'node.kind-interface.type-loopback',
      style: {
        'background-color': p.loopbackFill,
        'border-color': p.loopbackBorder,
        color: p.loopbackText,
        'font-size': m.smallFont,
        ...sizedBox(m.smallFont, 'normal', m.pad, m.pad - 3, projector ? 50 : 34, projector ? 32 : 22),
      },
    },
    {
      selector: 'node.kind-interface.down',
      style: {
        'background-color': p.downFill,
        'border-color': p.downBorder,
        'border-style': 'dashed',
        color: p.downText,
      },
    },

    // ---- containers: Docker-blue badges inside their namespace box ------------------------
    {
      selector: 'node.kind-container',
      style: {
        // The name on the tag's body, not its point (tagSize).
        width: ele => containerTag(ele).w,
        height: ele => containerTag(ele).h,
        'text-margin-x': ele => TAG_TEXT_SHIFT * containerTag(ele).w,
        shape: 'round-tag',
        'background-color': p.containerFill,
        'border-color': p.containerBorder,
        color: p.containerText,
        'font-weight': 'bold',
        'text-outline-width': 0,
      },
    },
    {
      selector: 'node.kind-container.mode-host',
      style: { 'border-style': 'double', 'border-width': m.border + 2 },
    },
    {
      selector: 'node.kind-container.mode-none',
      style: { 'background-opacity': 0.75 },
    },
    {
      selector: 'node.kind-container.down',
      style: { 'background-color': p.downFill, 'border-color': p.downBorder, color: p.downText, 'border-style': 'dashed' },
    },

    // ---- docker networks: tag-like labels next to their bridge ----------------------------
    {
      selector: 'node.kind-network',
      style: {
        ...sizedBox(m.font, 'bold', m.pad * 3, m.pad - 2, projector ? 100 : 70, projector ? 44 : 28),
        shape: 'tag',
        // The tag's point takes the right end: keep the text on the body.
        'text-margin-x': -m.pad,
        'background-color': p.networkFill,
        'border-color': p.networkBorder,
        color: p.networkText,
        'font-weight': 'bold',
        'text-outline-width': 0,
      },
    },
    {
      selector: 'node.kind-network.internal',
      style: { 'border-style': 'dashed' },
    },

    // ---- the outside world -----------------------------------------------------------------
    {
      selector: 'node.kind-external',
      style: {
        ...sizedBox(m.titleFont, 'bold', m.pad * 4, m.pad * 2.5, projector ? 220 : 150, projector ? 110 : 76),
        shape: 'ellipse',
        'background-color': p.externalFill,
        'border-color': p.externalBorder,
        'border-width': m.border + 1,
        'border-style': 'double',
        color: p.externalText,
        'font-size': m.titleFont,
        'font-weight': 'bold',
        'text-outline-width': 0,
      },
    },

    // ---- NAT rules: octagon "gates", MASQUERADE purple, DNAT orange -------------------------
    {
      selector: 'node.kind-nat-rule',
      style: {
        ...sizedBox(m.smallFont, 'bold', m.pad * 2.5, m.pad * 1.2, projector ? 160 : 110, projector ? 70 : 48),
        shape: 'cut-rectangle',
        'font-size': m.smallFont,
        'font-weight': 'bold',
        'background-color': p.natOtherFill,
        'border-color': p.natOtherBorder,
        'border-width': m.border + 1,
        color: p.text,
        'text-outline-width': 0,
      },
    },
    {
      selector: 'node.kind-nat-rule.masquerade',
      style: { 'background-color': p.masqueradeFill, 'border-color': p.masqueradeBorder, color: p.masqueradeText },
    },
    {
      selector: 'node.kind-nat-rule.dnat',
      style: { 'background-color': p.dnatFill, 'border-color': p.dnatBorder, color: p.dnatText },
    },

    // ---- edges -------------------------------------------------------------------------------
    {
      // A veth pair is a virtual cable: the thickest line, crossing namespace walls.
      selector: 'edge.kind-veth',
      style: { width: m.veth, 'line-color': p.vethEdge, 'line-cap': 'round' },
    },
    {
      selector: 'edge.kind-bridge-port',
      style: { width: m.port, 'line-color': p.bridgePortEdge },
    },
    {
      selector: 'edge.kind-nat',
      style: {
        width: m.port,
        'line-style': 'dashed',
        'line-dash-pattern': projector ? [14, 8] : [9, 5],
        'target-arrow-shape': 'triangle',
        'line-color': p.masqueradeBorder,
        'target-arrow-color': p.masqueradeBorder,
        'source-arrow-color': p.masqueradeBorder,
      },
    },
    {
      selector: 'edge.kind-nat.dnat',
      style: { 'line-color': p.dnatBorder, 'target-arrow-color': p.dnatBorder, 'source-arrow-color': p.dnatBorder },
    },
    {
      selector: 'edge.kind-route',
      style: { width: m.port, 'line-color': p.routeEdge, 'target-arrow-color': p.routeEdge, 'target-arrow-shape': 'triangle' },
    },
    // Arrows in the direction packets travel (graph-contract.json packetArrows): MASQUERADE from the bridge through
    // the rule and out, DNAT from outside to the container, routes from the namespace to its gateway.
    ...packetArrowRules(),
    {
      selector: 'edge.kind-lower',
      style: { width: m.port, 'line-style': 'dotted', 'line-color': p.lowerEdge },
    },
    {
      // A vxlan cable between two hosts (hub only): long, so thick and drawn straight across the host boxes.
      selector: 'edge.kind-tunnel',
      style: { width: m.port + 2, 'line-style': 'dashed', 'line-dash-pattern': [12, 4], 'line-color': p.virtualBorder, 'curve-style': 'straight' },
    },
    {
      selector: 'edge.kind-network-bridge',
      style: { width: m.thin, 'line-style': 'dotted', 'line-color': p.networkBridgeEdge },
    },
    {
      selector: 'edge.down',
      style: { 'line-style': 'dashed', 'line-color': p.downBorder, opacity: 0.8 },
    },

    // ---- interaction states ----------------------------------------------------------------
    {
      selector: 'node:selected',
      style: { 'border-color': p.selection, 'border-width': m.border + 3 },
    },
    {
      selector: 'edge:selected',
      style: { 'line-color': p.selection, 'target-arrow-color': p.selection, 'underlay-color': p.selection, 'underlay-opacity': 0.35, 'underlay-padding': 4 },
    },
    {
      selector: '.nv-match, .nv-focus',
      style: { 'underlay-color': p.match, 'underlay-opacity': 0.75, 'underlay-padding': projector ? 14 : 10, 'underlay-shape': 'round-rectangle' },
    },
    {
      // A step of the lesson or of a replayed episode: what the teacher is talking about now.
      selector: '.nv-step',
      style: { 'underlay-color': p.selection, 'underlay-opacity': 0.6, 'underlay-padding': projector ? 16 : 12, 'underlay-shape': 'round-rectangle' },
    },
    {
      selector: '.nv-added',
      style: { 'underlay-color': p.added, 'underlay-opacity': 0.7, 'underlay-padding': projector ? 16 : 12, 'underlay-shape': 'round-rectangle' },
    },
    {
      selector: '.nv-leaving',
      style: {
        'underlay-color': p.removed,
        'underlay-opacity': 0.9,
        'underlay-padding': projector ? 16 : 12,
        opacity: 0.45,
        'transition-duration': 1200,
        events: 'no',
      },
    },
    {
      selector: '.nv-dimmed',
      style: { opacity: 0.15 },
    },
    {
      selector: '.nv-hidden',
      style: { display: 'none' },
    },
  ];
}

/** One rule per packetArrows entry: the arrowhead at the end packets travel to, none at the other. */
function packetArrowRules() {
  return Object.entries(contract.packetArrows).filter(([key]) => !key.startsWith('$')).map(([key, end]) => {
    const [kind, role] = key.split(':');
    return {
      selector: role ? `edge.kind-${kind}[type = "${role}"]` : `edge.kind-${kind}`,
      style: end === 'source'
        ? { 'source-arrow-shape': 'triangle', 'target-arrow-shape': 'none' }
        : { 'target-arrow-shape': 'triangle', 'source-arrow-shape': 'none' },
    };
  });
}

/** Every class the server may put on an element (CytoscapeElementMapper) or the module sets, per graph-contract.json. */
const knownClasses = new Set([
  ...contract.nodeKinds.map(k => `kind-${k}`),
  ...contract.edgeKinds.map(k => `kind-${k}`),
  ...contract.classes.modifiers,
  ...contract.classes.containerModes.map(m => `mode-${m}`),
  ...contract.classes.styledTypes.map(t => `type-${t}`),
  ...contract.classes.states,
]);

/**
 * A rule whose selector names a class outside the contract would silently never match: fail loudly
 * instead (the end-to-end tests load this module in Chromium), so a renamed kind or class cannot drift.
 */
function checkedAgainstContract(style) {
  for (const { selector } of style) {
    for (const [, cls] of selector.matchAll(/\.([\w-]+)/g)) {
      if (!knownClasses.has(cls)) throw new Error(`graph-style.js: selector '${selector}' uses class '${cls}', which graph-contract.json does not define`);
    }
  }
  return style;
}

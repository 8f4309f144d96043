// Draws what the lanes layout says about the host namespace behind the graph: the host band, one
// light host-coloured strip behind each bridge and its rails (that is where the bridge and its ports
// live: in the host namespace), a faint frame around each lane and the captions of lanes without a
// bridge. It is a plain canvas under Cytoscape's own, following pan and zoom; it holds no elements,
// so the graph's elements stay exactly the server's.
import { word } from './graph-words.js';

const FONT_FAMILY = 'system-ui, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif';

export class LaneUnderlay {
  /**
   * @param {import('cytoscape').Core} cy
   * @param {HTMLElement} container the Cytoscape container; the canvas goes first, under Cytoscape's layers
   */
  constructor(cy, container) {
    this.cy = cy;
    this.decor = null;
    this.palette = null;
    this.projector = false;
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('data-id', 'netviz-lane-underlay');
    this.canvas.setAttribute('aria-hidden', 'true');
    Object.assign(this.canvas.style, { position: 'absolute', left: '0', top: '0', pointerEvents: 'none' });
    container.insertBefore(this.canvas, container.firstChild);
    this._frame = 0;
    this._request = () => {
      if (this._frame) return;
      this._frame = requestAnimationFrame(() => { this._frame = 0; this.draw(); });
    };
    cy.on('viewport resize render', this._request);
  }

  set(decor, palette, projector) {
    this.decor = decor;
    this.palette = palette;
    this.projector = projector;
    this._request();
  }

  clear() {
    this.decor = null;
    this._request();
  }

  /** Draws the decor into a 2D context already transformed to model coordinates (also used for PNG export). */
  paint(ctx, zoom) {
    const d = this.decor;
    const p = this.palette;
    if (!d || !p) return;
    const px = v => v / zoom; // screen pixels in model units
    ctx.lineJoin = 'round';
    for (const l of d.lanes) {
      if (l.kind === 'junction') continue;
      roundRect(ctx, l.x1, l.y1, l.x2 - l.x1, l.y2 - l.y1, 14);
      ctx.fillStyle = p.laneFill;
      ctx.fill();
      ctx.setLineDash([px(6), px(4)]);
      ctx.lineWidth = px(1.5);
      ctx.strokeStyle = p.laneBorder;
      ctx.stroke();
      ctx.setLineDash([]);
    }
    // One host band, or one per host box in a hub (lanes-layout.js placeHosts).
    const bands = d.bands ?? (d.band ? [d.band] : []);
    for (const b of bands) {
      roundRect(ctx, b.x1, b.y1, b.x2 - b.x1, b.y2 - b.y1, 16);
      ctx.fillStyle = p.hostFill;
      ctx.fill();
      ctx.lineWidth = this.projector ? 6 : 4;
      ctx.strokeStyle = p.hostBorder;
      ctx.stroke();
    }
    ctx.fillStyle = p.hostFill;
    for (const s of d.strips) {
      roundRect(ctx, s.x1, s.y1, s.x2 - s.x1, s.y2 - s.y1, 10);
      ctx.fill();
    }
    ctx.strokeStyle = p.hostBorder;
    ctx.lineWidth = this.projector ? 3 : 2;
    for (const s of d.strips) {
      roundRect(ctx, s.x1, s.y1, s.x2 - s.x1, s.y2 - s.y1, 10);
      ctx.stroke();
    }
    // Titles: the host band's like a namespace box's title tab (as large as the lanes' captions, so it is
    // readable when the picture is); lane captions in plain text.
    const titleFont = this.projector ? 28 : 16;
    for (const band of bands) {
      if (!band.title) continue;
      ctx.font = `bold ${titleFont}px ${FONT_FAMILY}`;
      // In a hub's host box the long form only where the band has room for it, else the namespace's name alone.
      const long = word('hostBand', band.title);
      const text = !d.bands || ctx.measureText(long).width + 48 <= band.x2 - band.x1 ? long : band.title;
      const w = ctx.measureText(text).width + 16;
      const h = titleFont * 1.6;
      roundRect(ctx, band.x1 + 16, band.y1 - h / 2, w, h, 6);
      ctx.fillStyle = p.hostTitleFill;
      ctx.fill();
      ctx.fillStyle = p.netnsTitleText;
      ctx.textBaseline = 'middle';
      ctx.fillText(text, band.x1 + 24, band.y1);
    }
    ctx.font = `bold ${titleFont}px ${FONT_FAMILY}`;
    ctx.fillStyle = p.text;
    ctx.textBaseline = 'top';
    for (const c of d.captions) ctx.fillText(c.text, c.x, c.y);
  }

  draw() {
    const cy = this.cy;
    if (cy.destroyed()) return;
    const canvas = this.canvas;
    const w = cy.width();
    const h = cy.height();
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.width = w + 'px';
      canvas.style.height = h + 'px';
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!this.decor) return;
    const zoom = cy.zoom();
    const pan = cy.pan();
    ctx.setTransform(zoom * dpr, 0, 0, zoom * dpr, pan.x * dpr, pan.y * dpr);
    this.paint(ctx, zoom);
  }

  dispose() {
    this.cy.off('viewport resize render', this._request);
    if (this._frame) cancelAnimationFrame(this._frame);
    this.canvas.remove();
  }
}

function roundRect(ctx, x, y, w, h, r) {
  const rr = Math.max(0, Math.min(r, w / 2, h / 2));
  ctx.beginPath();
  ctx.moveTo(x + rr, y);
  ctx.arcTo(x + w, y, x + w, y + h, rr);
  ctx.arcTo(x + w, y + h, x, y + h, rr);
  ctx.arcTo(x, y + h, x, y, rr);
  ctx.arcTo(x, y, x + w, y, rr);
  ctx.closePath();
}

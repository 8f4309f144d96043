// Keyboard use of the graph: the graph takes focus (it is a tab stop), arrows move the selection to
// the nearest element in that direction, Tab / Shift+Tab walk the elements in reading order (and leave
// the graph after the last one), Enter opens the selected element's details, Escape closes them, F fits
// and / jumps to the search box. The graph module supplies what to do; this file only decides which
// element is next.

/** Elements a person navigates between: what is drawn and can be clicked, tiles rather than their insides. */
export function navigable(cy) {
  return cy.nodes(':visible').filter(n =>
    n.pstyle('events').value === 'yes' && !n.hasClass('nv-leaving') && !(n.hasClass('nv-ov') && n.parent().hasClass('nv-tile')));
}

/** Reading order: rows of roughly equal y, then x. */
export function readingOrder(nodes) {
  const items = nodes.map(n => ({ n, p: n.position(), h: n.outerHeight() }));
  items.sort((a, b) => a.p.y - b.p.y);
  const rows = [];
  for (const it of items) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(it.p.y - row.y) <= Math.max(row.h, it.h) / 2) row.items.push(it);
    else rows.push({ y: it.p.y, h: it.h, items: [it] });
  }
  return rows.flatMap(r => r.items.sort((a, b) => a.p.x - b.p.x).map(it => it.n));
}

/** The nearest node from `from` in a direction ('left'|'right'|'up'|'down'), or null. */
export function nearestInDirection(from, candidates, direction) {
  const p = from.position();
  let best = null;
  let bestCost = Infinity;
  for (const n of candidates) {
    if (n.same(from)) continue;
    const q = n.position();
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const [along, across] = direction === 'left' ? [-dx, dy] : direction === 'right' ? [dx, dy] : direction === 'up' ? [-dy, dx] : [dy, dx];
    if (along <= 1) continue;
    // Straight ahead is preferred over the diagonal: sideways distance costs double.
    const cost = along + 2 * Math.abs(across);
    if (cost < bestCost) { bestCost = cost; best = n; }
  }
  return best;
}

const KEY_DIRECTIONS = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

const typing = target => {
  const tag = (target?.tagName ?? '').toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || target?.isContentEditable;
};

/**
 * Wires the keys. `actions` = { select(node), open(node), close(), fit(), search() }.
 * Returns a function that removes the listeners.
 */
export function attachKeyboard(cy, container, actions) {
  container.tabIndex = 0;
  container.setAttribute('role', 'application');
  container.setAttribute('aria-label', 'Network graph. Arrows or Tab select, Enter opens details, Escape closes them, F fits, / searches.');

  const selected = () => cy.nodes(':selected').filter(n => n.visible())[0] ?? null;
  const onKey = evt => {
    if (evt.altKey || evt.ctrlKey || evt.metaKey) return;
    const current = selected();
    const dir = KEY_DIRECTIONS[evt.key];
    if (dir) {
      const all = navigable(cy);
      const next = current ? nearestInDirection(current, all, dir) : readingOrder(all)[0];
      if (next) actions.select(next);
      evt.preventDefault();
    } else if (evt.key === 'Tab') {
      const order = readingOrder(navigable(cy));
      if (!order.length) return;
      const i = current ? order.findIndex(n => n.same(current)) : -1;
      const j = evt.shiftKey ? (i < 0 ? order.length - 1 : i - 1) : i + 1;
      // Past either end, Tab leaves the graph as it does everywhere else.
      if (j < 0 || j >= order.length) return;
      actions.select(order[j]);
      evt.preventDefault();
    } else if (evt.key === 'Enter' || evt.key === ' ') {
      if (current) { actions.open(current); evt.preventDefault(); }
    } else if (evt.key === 'f' || evt.key === 'F') {
      actions.fit();
      evt.preventDefault();
    }
  };
  // Escape and / work wherever the focus is (the details drawer, the page), except while typing.
  const onDocumentKey = evt => {
    if (evt.altKey || evt.ctrlKey || evt.metaKey || typing(evt.target)) return;
    if (evt.key === 'Escape') actions.close();
    else if (evt.key === '/') { actions.search(); evt.preventDefault(); }
  };
  container.addEventListener('keydown', onKey);
  document.addEventListener('keydown', onDocumentKey);
  return () => {
    container.removeEventListener('keydown', onKey);
    document.removeEventListener('keydown', onDocumentKey);
  };
}

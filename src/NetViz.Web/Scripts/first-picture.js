// The first picture of a graph: every element styled and drawn for the first time in one frame.
//
// At 300 namespaces (~1800 elements) that frame was ~0.55 s of the ~1.2 s before the picture is on screen, spent
// in two things that only matter once something has been drawn before:
//
// - Cytoscape's style triggers. For every property applied to an element, checkTriggers() clears the style caches
//   of the element, its relatives and its edges, dirties their bounding boxes and emits a `bounds` event bubbled
//   through each compound parent. When a property is applied to an element for the first time (no previous value)
//   in a graph whose elements were all just added, none of those caches exists yet: whatever reads them (bounds,
//   visibility, z-order) styles the element first. ~110 ms of the first frame.
// - Texture caches. The first frame draws each element into a texture of its own, each label into another, and
//   those into layer textures (all synchronously on the first use of the layer cache), then the layers on screen.
//   Drawn straight onto the canvas instead (Cytoscape's own fallback when an element has no texture), the same
//   elements cost ~100-150 ms less; the caches are then filled in idle frames (the layer cache queues its layers
//   once its first use is behind it), and later frames are as fast as before.
//
// Compared on that graph (two instances in one page): every element's bounding box, z-order, visibility, opacity,
// width and label are identical; the directly drawn first frame differs from the final picture in fewer pixels
// than the cached first frame did (which is drawn from lower-resolution textures, then redrawn).

/** The cores drawing their first picture (beginFirstPicture until the frame is drawn). */
const firstPicture = new WeakSet();
let installed = false;

/** Makes checkTriggers skip a property's first application in a first picture (idempotent). */
export function installFirstPictureSpeedups(cytoscape) {
  if (installed) return;
  installed = true;
  const probe = cytoscape({ headless: true, styleEnabled: true, elements: [{ data: { id: 'a' } }] });
  const style = probe.style();
  const proto = style ? Object.getPrototypeOf(style) : null;
  const ownsCy = probe.getElementById('a')._private.cy === probe;
  probe.destroy();
  // A Cytoscape whose internals differ keeps its own triggers.
  if (!proto || typeof proto.checkTriggers !== 'function' || proto.checkTriggers.length !== 4 || !ownsCy) return;
  const original = proto.checkTriggers;
  proto.checkTriggers = function checkTriggers(ele, name, fromValue, toValue) {
    if (fromValue == null && firstPicture.has(ele._private.cy)) {
      ele._private.styleCache = null;
      return;
    }
    original.call(this, ele, name, fromValue, toValue);
  };
}

/**
 * Call on a graph with no elements, just before adding them all: until its next frame is drawn (or endFirstPicture),
 * styling skips the triggers above and that frame is drawn without texture caches. Does nothing on a graph that has
 * elements (a later reset restyles elements whose caches exist).
 */
export function beginFirstPicture(cy) {
  if (firstPicture.has(cy) || cy.elements().nonempty()) return;
  firstPicture.add(cy);
  const undoDirect = drawDirect(cy);
  cy.one('render', () => {
    firstPicture.delete(cy);
    undoDirect();
  });
}

/** Ends it before the frame (something else changes the graph first): from here on styling pays the triggers. */
export function endFirstPicture(cy) {
  firstPicture.delete(cy);
}

/** Makes the next frame draw every element straight onto the canvas; returns what restores the caches. */
function drawDirect(cy) {
  const data = cy.renderer()?.data;
  const layers = data?.lyrTxrCache;
  const caches = data ? [data.eleTxrCache, data.lblTxrCache, data.slbTxrCache, data.tlbTxrCache] : [];
  if (!layers || typeof layers.getLayers !== 'function' || !('firstGet' in layers) || caches.some(c => !c || typeof c.getElement !== 'function')) return () => {};
  // Own properties over the prototype's methods: no layers (draw element by element), no texture per element
  // (drawn directly, as Cytoscape does for an element too large for one).
  layers.getLayers = () => null;
  for (const c of caches) c.getElement = () => null;
  return () => {
    delete layers.getLayers;
    for (const c of caches) delete c.getElement;
    // The layers are then built from a queue in idle frames instead of all at once in the next frame.
    layers.firstGet = false;
  };
}

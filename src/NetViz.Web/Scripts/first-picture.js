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

/** The renderers drawing their next frame without texture caches (drawDirect). */
const direct = new WeakSet();
let cachesPatched = false;

/**
 * Teaches the texture caches' prototypes to answer "no texture" for a renderer in `direct` (once). On the prototypes,
 * not as own properties of each cache: adding and deleting properties on those hot objects would leave V8 looking
 * their fields up in a dictionary on every frame after. Returns whether the caches look as expected.
 */
function patchCaches(data) {
  const caches = [data.eleTxrCache, data.lblTxrCache, data.slbTxrCache, data.tlbTxrCache];
  const layers = data.lyrTxrCache;
  const eleProto = caches[0] ? Object.getPrototypeOf(caches[0]) : null;
  const layerProto = layers ? Object.getPrototypeOf(layers) : null;
  if (!eleProto || !layerProto || caches.some(c => !c || Object.getPrototypeOf(c) !== eleProto || !c.renderer)
    || typeof eleProto.getElement !== 'function' || typeof layerProto.getLayers !== 'function'
    || !layers.renderer || typeof layers.firstGet !== 'boolean') return false;
  if (cachesPatched) return true;
  cachesPatched = true;
  const getElement = eleProto.getElement;
  eleProto.getElement = function (ele, bb, pxRatio, lvl, reason) {
    return direct.has(this.renderer) ? null : getElement.call(this, ele, bb, pxRatio, lvl, reason);
  };
  const getLayers = layerProto.getLayers;
  layerProto.getLayers = function (eles, pxRatio, lvl) {
    return direct.has(this.renderer) ? null : getLayers.call(this, eles, pxRatio, lvl);
  };
  return true;
}

/** Makes the next frame draw every element straight onto the canvas; returns what restores the caches. */
function drawDirect(cy) {
  const r = cy.renderer();
  const data = r?.data;
  if (!data || !patchCaches(data)) return () => {};
  // No layers (draw element by element) and no texture per element (drawn directly, as Cytoscape does for an element
  // too large for one).
  direct.add(r);
  return () => {
    direct.delete(r);
    // The layers are then built from a queue in idle frames instead of all at once in the next frame.
    data.lyrTxrCache.firstGet = false;
  };
}

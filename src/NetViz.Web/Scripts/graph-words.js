// The few words the graph draws itself (captions on the canvas, not element labels): English unless the page
// passes the words of its language in create({ words }). One table per page: a page has one graph.
const words = {
  hostBand: '{0}: the bridges, veth ends and rails on blue are in it too',
  noNetwork: 'no network',
  vethNoBridge: 'veth without a bridge',
};

/** Replaces the words the page gave (unknown keys and empty values are ignored). */
export function setWords(given) {
  if (!given) return;
  for (const [k, v] of Object.entries(given)) if (k in words && typeof v === 'string' && v.length > 0) words[k] = v;
}

/** The word for key, with {0} replaced by arg. */
export function word(key, arg) {
  const w = words[key] ?? key;
  return arg === undefined ? w : w.replace('{0}', String(arg));
}

// The dashboard's settings in the browser (localStorage), so a reload or a new tab on the same screen
// comes back the way a person left it. Plain module, loaded by DashboardSettingsStore.cs.
const KEY = 'netviz.settings.v1';

/** The saved settings (a JSON string, or null) and whether the screen is narrow (a phone). */
export function load() {
  let json = null;
  try {
    json = window.localStorage.getItem(KEY);
  } catch {
    // Storage disabled (private mode, policy): run with the defaults.
  }
  const narrow = typeof window.matchMedia === 'function' && window.matchMedia('(max-width: 720px)').matches;
  return { json, narrow };
}

export function save(json) {
  try {
    window.localStorage.setItem(KEY, json);
  } catch {
    // Full or disabled: the settings then last as long as the page.
  }
}

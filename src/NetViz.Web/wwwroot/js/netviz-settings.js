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

/**
 * Puts what is shown and selected into the address bar (?show=, ?focus=) so it can be shared, replacing the
 * current history entry and keeping Blazor's own entry state. Called by the page instead of NavigationManager:
 * its NavigateTo logs an error when the tab closes while the call is on its way, and this one is only cosmetic.
 */
export function replaceAddress(url) {
  try {
    const target = new URL(url, window.location.href);
    if (target.origin !== window.location.origin) return; // only ever this page's own address
    if (target.href !== window.location.href) window.history.replaceState(window.history.state, '', target.href);
  } catch {
    // A malformed address: keep the one shown.
  }
}

/**
 * Teams always loads a tab inside an iframe, so a page that is its own top window is in a plain
 * browser. Deciding this up front spares browser users teams-js's initialize(), which only rejects
 * after about 5 seconds when no host answers.
 */
export function isFramed(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    // Reading window.top across origins throws in some browsers: that too means we are framed.
    return true;
  }
}

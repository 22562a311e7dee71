// Shared words of the 复工码 (pass): its colours and its reasons, for the worker's card and the
// gate page alike. The server owns the rule; these only name what it answered.
import { i18n } from '../i18n.js'

/** PASS_COLORS are the pass colours, best first (labels: pass.colors.*). */
export const PASS_COLORS = ['green', 'yellow', 'red']

/** colorWord is the colour's word (绿码/黄码/红码), never the colour alone; fallback: the server's label. */
export function colorWord(color, serverLabel) {
  const key = 'pass.colors.' + color
  return i18n.global.te(key) ? i18n.global.t(key) : serverLabel || color || ''
}

/**
 * reasonLabel names a condition of a pass in the UI's language; a condition this build does not
 * know keeps the server's own label.
 */
export function reasonLabel(reason) {
  const key = 'pass.conditions.' + (reason && reason.condition)
  return i18n.global.te(key) ? i18n.global.t(key) : (reason && reason.label) || ''
}

/**
 * wallClock is the HH:MM written in an RFC 3339 time (e.g. "2026-12-05T23:59:59+08:00" →
 * "23:59"): the township's clock as the server wrote it, whatever the phone's time zone.
 */
export function wallClock(v) {
  const m = /T(\d{2}:\d{2})/.exec(v || '')
  return m ? m[1] : ''
}

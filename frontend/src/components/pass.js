// Shared words of the 复工码 (pass): its colours and its reasons, for the worker's card and the
// gate page alike. The server owns the rule; these only name what it answered.
import { i18n } from '../i18n.js'
import { auth } from '../api.js'

/** colorWord is the colour's word (绿码/黄码/红码), never the colour alone; fallback: the server's label. */
export function colorWord(color, serverLabel) {
  const key = 'passes.colors.' + color // the staff pages' words, one set for the whole UI
  return i18n.global.te(key) ? i18n.global.t(key) : serverLabel || color || ''
}

/**
 * reasonLabel names a condition of a pass in the UI's language; a condition this build does not
 * know keeps the server's own label.
 */
export function reasonLabel(reason) {
  const key = 'passRules.conditions.' + (reason && reason.condition) // as the township's rules name them
  return i18n.global.te(key) ? i18n.global.t(key) : (reason && reason.label) || ''
}

/**
 * townClock shows the HH:MM of an RFC 3339 time on the township's clock (its time zone from /me,
 * Asia/Shanghai until /me has answered), whatever the phone's own zone and whatever offset the
 * server wrote the time with; like the pass's date, which is the township's day.
 */
export function townClock(v) {
  const d = new Date(v)
  if (!v || Number.isNaN(d.getTime())) return ''
  const me = auth.me || {}
  const zone = me.township_timezone || me.timezone || 'Asia/Shanghai'
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d)
  } catch {
    const pad = (n) => String(n).padStart(2, '0')
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`
  }
}

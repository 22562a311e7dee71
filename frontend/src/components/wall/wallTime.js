// The wall screen's clock: the date and time of the township (its time zone, from /me;
// Asia/Shanghai by default), whatever the wall PC's own zone is set to, so that the screen
// turns to the new day at the township's midnight.
import { auth } from '../../api.js'

const DEFAULT_ZONE = 'Asia/Shanghai'

/** townZone is the township's time zone. */
export function townZone() {
  const me = auth.me || {}
  return me.township_timezone || me.timezone || DEFAULT_ZONE
}

const formats = new Map()

function format(zone, opts) {
  const key = zone + JSON.stringify(opts)
  if (!formats.has(key)) {
    try {
      formats.set(key, new Intl.DateTimeFormat('en-US', { timeZone: zone, ...opts }))
    } catch {
      formats.set(key, new Intl.DateTimeFormat('en-US', { timeZone: DEFAULT_ZONE, ...opts }))
    }
  }
  return formats.get(key)
}

/**
 * townNow is the moment now in the township: day (YYYY-MM-DD), time (HH:mm:ss) and the
 * weekday's number (0 Sunday).
 */
export function townNow(now = new Date(), zone = townZone()) {
  const f = format(zone, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    weekday: 'short', hourCycle: 'h23',
  })
  const p = f.formatToParts(now).reduce((o, x) => ({ ...o, [x.type]: x.value }), {})
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  return {
    day: `${p.year}-${p.month}-${p.day}`,
    time: `${p.hour}:${p.minute}:${p.second}`,
    weekday: weekdays.indexOf(p.weekday),
  }
}

/** hhmm shows an RFC 3339 time as HH:mm in the township. */
export function hhmm(v, zone = townZone()) {
  const d = new Date(v)
  if (!v || Number.isNaN(d.getTime())) return ''
  const p = format(zone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d)
    .reduce((o, x) => ({ ...o, [x.type]: x.value }), {})
  return `${p.hour}:${p.minute}`
}

/** dayLabel shows a YYYY-MM-DD day with its weekday in the UI's language. */
export function dayLabel(day, weekday, locale) {
  const [y, m, d] = day.split('-').map(Number)
  if (locale === 'en') {
    const wd = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][weekday] || ''
    return `${wd}, ${day}`
  }
  return `${y}年${m}月${d}日 星期${'日一二三四五六'[weekday] || ''}`
}

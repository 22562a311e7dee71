import { i18n } from '../i18n.js'
import { auth } from '../api.js'

/** formatTime shows an RFC 3339 time in the UI's language and the browser's time zone. */
export function formatTime(v) {
  if (!v) return i18n.global.t('common.empty')
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  return d.toLocaleString(i18n.global.locale.value, { hour12: false })
}

/** orEmpty shows a dash for a missing value. */
export function orEmpty(v) {
  return v === null || v === undefined || v === '' ? i18n.global.t('common.empty') : v
}

// Township days are those of its time zone (the server checks dates against them), not the
// browser's: at 01:00 in Shandong a browser set to UTC is still on the day before.
const DEFAULT_ZONE = 'Asia/Shanghai'

/** todayISO is today in the township's time zone as YYYY-MM-DD (a default for date inputs). */
export function todayISO() {
  const me = auth.me || {}
  const zone = me.township_timezone || me.timezone || DEFAULT_ZONE
  const now = new Date()
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(now)
      .reduce((o, p) => ({ ...o, [p.type]: p.value }), {})
    return `${parts.year}-${parts.month}-${parts.day}`
  } catch {
    const pad = (n) => String(n).padStart(2, '0')
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
  }
}

/** daysAfter counts the days from the YYYY-MM-DD day `from` to `to` (negative when to is earlier). */
export function daysAfter(from, to) {
  const a = Date.parse(from + 'T00:00:00Z')
  const b = Date.parse(to + 'T00:00:00Z')
  if (Number.isNaN(a) || Number.isNaN(b)) return 0
  return Math.round((b - a) / 86400000)
}

/** hourNow is the current hour (0–23) in the township's time zone: it picks the default slot. */
export function hourNow() {
  const me = auth.me || {}
  const zone = me.township_timezone || me.timezone || DEFAULT_ZONE
  try {
    const h = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date())
    return Number(h) % 24
  } catch {
    return new Date().getHours()
  }
}

/** clockTime shows the hour and minute (HH:mm) of an RFC 3339 time in the browser's time zone. */
export function clockTime(v) {
  const d = new Date(v)
  if (!v || Number.isNaN(d.getTime())) return ''
  const pad = (n) => String(n).padStart(2, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/**
 * isFever says whether a temperature being typed is to be shown in red: at or above the
 * township's threshold `at` (from the server; none known, none red). Readings the server has
 * taken carry its own verdict (fever) instead.
 */
export function isFever(temp, at) {
  return typeof temp === 'number' && typeof at === 'number' && temp >= at
}

/**
 * percentText shows a share (0..1, as the API gives coverage and rates) as a percentage with
 * exactly one decimal ("12.5%"), the same on every page; a dash for a missing share.
 */
export function percentText(share) {
  if (typeof share !== 'number' || !Number.isFinite(share)) return i18n.global.t('common.empty')
  return `${(Math.round(share * 1000) / 10).toFixed(1)}%`
}

// Small helpers the dashboard's parts share.
import { i18n } from '../../i18n.js'

/** num is a figure as a number: 0 for a missing or broken one. */
export function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0
}

/** percent is a share (0..1) as a percentage with one decimal. */
export function percent(share) {
  return Math.round(num(share) * 1000) / 10
}

/** clock shows a Date as HH:mm:ss, or a dash for none. */
export function clock(d) {
  if (!d) return i18n.global.t('common.empty')
  const pad = (x) => String(x).padStart(2, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** addDays moves a YYYY-MM-DD day by n days. */
export function addDays(day, n) {
  const d = new Date(Date.parse(day + 'T00:00:00Z') + n * 86400000)
  return d.toISOString().slice(0, 10)
}

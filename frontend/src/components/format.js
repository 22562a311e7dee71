import { i18n } from '../i18n.js'

/** formatTime shows an RFC 3339 time in the UI's language and the browser's time zone. */
export function formatTime(v) {
  if (!v) return i18n.global.t('common.empty')
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  return d.toLocaleString(i18n.global.locale.value, { hour12: false })
}

// vue-i18n set-up: zh-CN first, English second; the choice is remembered in localStorage.
import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN.json'
import en from './locales/en.json'

// A feature may keep its messages in a folder of its own, locales/<feature>/{zh-CN,en}.json,
// merged over the main files: pages written side by side then never edit the same file.
const parts = import.meta.glob('./locales/*/*.json', { eager: true, import: 'default' })

function merge(into, from) {
  for (const [k, v] of Object.entries(from)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && into[k] && typeof into[k] === 'object') merge(into[k], v)
    else into[k] = v
  }
  return into
}

const messages = { 'zh-CN': zhCN, en }
for (const [path, part] of Object.entries(parts)) {
  const locale = path.split('/').pop().replace('.json', '')
  if (messages[locale]) merge(messages[locale], part)
}

const KEY_LANG = 'fugong.lang'

/** LOCALES lists the languages the UI speaks, in menu order. */
export const LOCALES = ['zh-CN', 'en']

function initialLocale() {
  const saved = localStorage.getItem(KEY_LANG)
  return LOCALES.includes(saved) ? saved : 'zh-CN'
}

/** i18n is the application's single vue-i18n instance (composition mode). */
export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages,
})

function applyDocument(locale) {
  document.documentElement.lang = locale
}
applyDocument(i18n.global.locale.value)

/** setLocale switches the language and remembers it. */
export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return
  i18n.global.locale.value = locale
  localStorage.setItem(KEY_LANG, locale)
  applyDocument(locale)
}

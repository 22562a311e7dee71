// vue-i18n set-up: zh-CN first, English second; the choice is remembered in localStorage.
import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN.json'
import en from './locales/en.json'

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
  messages: { 'zh-CN': zhCN, en },
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

import { createApp } from 'vue'
import 'element-plus/theme-chalk/base.css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './style.css'
import App from './App.vue'
import { i18n } from './i18n.js'
import { router } from './router.js'
import { setSessionLostHandler } from './api.js'
import { ElMessage } from 'element-plus'

setSessionLostHandler(() => {
  const current = router.currentRoute.value
  if (current.name === 'login' || current.name === 'checkin-login') return
  ElMessage.warning(i18n.global.t('errors.sessionExpired'))
  if (current.path.startsWith('/checkin')) {
    router.replace({ name: 'checkin-login' })
    return
  }
  router.replace({ name: 'login', query: { redirect: current.fullPath } })
})

createApp(App).use(i18n).use(router).mount('#app')

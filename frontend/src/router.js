// Routes (history mode; the server answers index.html for every non-/api path). Each route
// names the roles that may open it; the menu (menu.js) shows the same pages per role.
import { createRouter, createWebHistory } from 'vue-router'
import { auth, isSignedIn } from './api.js'
import { homeFor } from './menu.js'
import { i18n } from './i18n.js'
import AppLayout from './components/AppLayout.vue'
import LoginPage from './pages/LoginPage.vue'

const routes = [
  { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: 'auth.title' } },
  // The worker's phone page (H5) has its own sign-in and no staff layout.
  {
    path: '/checkin/login',
    name: 'checkin-login',
    component: () => import('./pages/WorkerLoginPage.vue'),
    meta: { public: true, title: 'checkin.loginTitle' },
  },
  {
    path: '/checkin',
    name: 'checkin',
    component: () => import('./pages/CheckinPage.vue'),
    meta: { roles: ['worker'], title: 'checkin.title' },
  },
  // The gate's phone page (扫码核验): a guard's or a supervisor's, also without the staff layout.
  {
    path: '/gate',
    name: 'gate',
    component: () => import('./pages/GatePage.vue'),
    meta: { roles: ['supervisor', 'gate'], title: 'gate.title' },
  },
  // The wall screen (大屏, issue 21): full screen, dark, no staff layout; a wall screen account
  // (viewer) lands here, town admins and supervisors open it from their menu.
  {
    path: '/wall',
    name: 'wall',
    component: () => import('./pages/WallPage.vue'),
    meta: { roles: ['viewer', 'town_admin', 'supervisor'], title: 'wall.pageTitle' },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      {
        path: '',
        name: 'home',
        redirect: () => (isSignedIn() ? homeFor(auth.user.role) : { name: 'login' }),
      },
      {
        path: 'dashboard',
        name: 'dashboard',
        component: () => import('./pages/DashboardPage.vue'),
        meta: { roles: ['town_admin', 'supervisor'], title: 'dashboard.title' },
      },
      {
        path: 'townships',
        name: 'townships',
        component: () => import('./pages/TownshipsPage.vue'),
        meta: { roles: ['platform_admin'], title: 'township.listTitle' },
      },
      {
        path: 'townships/:id',
        name: 'township-edit',
        component: () => import('./pages/TownshipPage.vue'),
        props: true,
        meta: { roles: ['platform_admin'], title: 'township.settingsTitle', menu: '/townships' },
      },
      {
        path: 'township',
        name: 'township',
        component: () => import('./pages/TownshipPage.vue'),
        meta: { roles: ['town_admin'], title: 'township.settingsTitle' },
      },
      {
        path: 'enterprises',
        name: 'enterprises',
        component: () => import('./pages/EnterprisesPage.vue'),
        meta: { roles: ['town_admin', 'supervisor'], title: 'enterprise.listTitle' },
      },
      {
        path: 'enterprises/:id',
        name: 'enterprise-detail',
        component: () => import('./pages/EnterpriseDetailPage.vue'),
        props: true,
        meta: { roles: ['town_admin', 'supervisor'], title: 'enterprise.detailTitle', menu: '/enterprises' },
      },
      {
        path: 'enterprise',
        name: 'own-enterprise',
        component: () => import('./pages/OwnEnterprisePage.vue'),
        meta: { roles: ['enterprise_hr'], title: 'enterprise.ownTitle' },
      },
      // The workers' check-in poster (issue 21): the QR code of the worker sign-in with the
      // enterprise code filled in, to print or share; reached from the enterprise page.
      {
        path: 'enterprise/poster',
        name: 'enterprise-poster',
        component: () => import('./pages/PosterPage.vue'),
        meta: { roles: ['enterprise_hr'], title: 'poster.title', menu: '/enterprise' },
      },
      {
        path: 'enterprises/:id/roster',
        name: 'enterprise-roster',
        component: () => import('./pages/RosterPage.vue'),
        props: true,
        meta: { roles: ['town_admin', 'supervisor'], title: 'roster.title', menu: '/enterprises' },
      },
      {
        path: 'roster',
        name: 'roster',
        component: () => import('./pages/RosterPage.vue'),
        meta: { roles: ['enterprise_hr'], title: 'roster.title' },
      },
      {
        path: 'plan',
        name: 'plan',
        component: () => import('./pages/PlanPage.vue'),
        meta: { roles: ['enterprise_hr'], title: 'plan.title' },
      },
      {
        path: 'plans/:id',
        name: 'plan-detail',
        component: () => import('./pages/PlanReviewPage.vue'),
        props: true,
        meta: {
          roles: ['supervisor', 'town_admin', 'enterprise_hr'],
          title: 'plan.detailTitle',
          menu: (role) => (role === 'enterprise_hr' ? '/plan' : '/reviews'),
        },
      },
      {
        path: 'reviews',
        name: 'reviews',
        component: () => import('./pages/ReviewsPage.vue'),
        meta: { roles: ['supervisor', 'town_admin'], title: 'review.queueTitle' },
      },
      {
        path: 'rectifications',
        name: 'rectifications',
        component: () => import('./pages/RectificationsPage.vue'),
        meta: { roles: ['supervisor', 'town_admin'], title: 'rectification.title' },
      },
      {
        path: 'checkins',
        name: 'checkins',
        component: () => import('./pages/CheckinStatusPage.vue'),
        meta: { roles: ['enterprise_hr'], title: 'checkinStatus.title' },
      },
      {
        path: 'enterprises/:id/checkins',
        name: 'enterprise-checkins',
        component: () => import('./pages/CheckinStatusPage.vue'),
        props: true,
        meta: { roles: ['town_admin', 'supervisor'], title: 'checkinStatus.title', menu: '/enterprises' },
      },
      {
        path: 'alerts',
        name: 'alerts',
        component: () => import('./pages/AlertsPage.vue'),
        meta: { roles: ['enterprise_hr', 'supervisor', 'town_admin'], title: 'alert.title' },
      },
      {
        path: 'channels',
        name: 'channels',
        component: () => import('./pages/ChannelsPage.vue'),
        meta: { roles: ['town_admin', 'enterprise_hr', 'supervisor'], title: 'channel.title' },
      },
      {
        path: 'messages',
        name: 'messages',
        component: () => import('./pages/MessagesPage.vue'),
        meta: { roles: ['town_admin', 'enterprise_hr', 'supervisor'], title: 'groupMessage.title' },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('./pages/UsersPage.vue'),
        meta: { roles: ['town_admin'], title: 'user.listTitle' },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./pages/AuditPage.vue'),
        meta: { roles: ['town_admin', 'platform_admin'], title: 'audit.title' },
      },
      {
        path: 'welcome',
        name: 'welcome',
        component: () => import('./pages/WelcomePage.vue'),
        meta: { title: 'errors.noPagesTitle' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./pages/NotFoundPage.vue'),
        meta: { title: 'errors.notFoundTitle' },
      },
    ],
  },
]

/** router is the application's vue-router instance. */
export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach((to) => {
  const signedIn = isSignedIn()
  if (to.meta.public) {
    return signedIn && (to.name === 'login' || to.name === 'checkin-login') ? homeFor(auth.user.role) : true
  }
  if (!signedIn) {
    // The worker's page has its own sign-in form.
    if (to.name === 'checkin') return { name: 'checkin-login' }
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (to.meta.roles && !to.meta.roles.includes(auth.user.role)) {
    return homeFor(auth.user.role)
  }
  // A link to the placeholder page (e.g. from an old redirect) goes home when there is one.
  if (to.name === 'welcome' && homeFor(auth.user.role) !== '/welcome') {
    return homeFor(auth.user.role)
  }
  return true
})

/** updateTitle sets the document title from the current route and language. */
export function updateTitle() {
  const t = i18n.global.t
  const key = router.currentRoute.value.meta.title
  document.title = key ? `${t(key)} · ${t('app.title')}` : t('app.title')
}

router.afterEach(() => updateTitle())

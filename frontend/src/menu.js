// The side menu as data: one row per entry, shown to the roles listed; a page adds a row here
// and a route in router.js.
import { markRaw } from 'vue'
import { OfficeBuilding, School, User, Setting, House, Document, Stamp, Warning, Notebook, Calendar, Bell, DataBoard, Tickets, Camera, ChatDotRound, ChatLineSquare, Monitor } from '@element-plus/icons-vue'

/**
 * MENU lists the menu entries; label is an i18n key. home: false keeps an entry from being where
 * its roles land after signing in (the dashboard comes first in the menu, but a town admin and a
 * supervisor still land on their enterprise list).
 */
export const MENU = [
  { path: '/dashboard', label: 'menu.dashboard', icon: markRaw(DataBoard), roles: ['town_admin', 'supervisor'], home: false },
  // The wall screen (大屏) is a full-screen page of its own (no side menu); a viewer lands there (homeFor).
  { path: '/wall', label: 'menu.wall', icon: markRaw(Monitor), roles: ['town_admin', 'supervisor'], home: false },
  { path: '/townships', label: 'menu.townships', icon: markRaw(School), roles: ['platform_admin'] },
  { path: '/enterprises', label: 'menu.enterprises', icon: markRaw(OfficeBuilding), roles: ['town_admin'] },
  { path: '/enterprises', label: 'menu.myEnterprises', icon: markRaw(OfficeBuilding), roles: ['supervisor'] },
  { path: '/reviews', label: 'menu.reviews', icon: markRaw(Stamp), roles: ['supervisor', 'town_admin'] },
  { path: '/rectifications', label: 'menu.rectifications', icon: markRaw(Warning), roles: ['supervisor', 'town_admin'] },
  { path: '/users', label: 'menu.users', icon: markRaw(User), roles: ['town_admin'] },
  { path: '/township', label: 'menu.township', icon: markRaw(Setting), roles: ['town_admin'] },
  { path: '/enterprise', label: 'menu.enterprise', icon: markRaw(House), roles: ['enterprise_hr'] },
  { path: '/plan', label: 'menu.plan', icon: markRaw(Document), roles: ['enterprise_hr'] },
  { path: '/roster', label: 'menu.roster', icon: markRaw(Notebook), roles: ['enterprise_hr'] },
  { path: '/checkins', label: 'menu.checkins', icon: markRaw(Calendar), roles: ['enterprise_hr'] },
  { path: '/alerts', label: 'menu.alerts', icon: markRaw(Bell), roles: ['enterprise_hr', 'supervisor', 'town_admin'] },
  { path: '/channels', label: 'menu.channels', icon: markRaw(ChatDotRound), roles: ['town_admin', 'enterprise_hr', 'supervisor'], home: false },
  { path: '/messages', label: 'menu.messages', icon: markRaw(ChatLineSquare), roles: ['town_admin', 'enterprise_hr', 'supervisor'], home: false },
  // The gate page is a phone page of its own (no side menu); a gate account lands there (homeFor).
  { path: '/gate', label: 'menu.gate', icon: markRaw(Camera), roles: ['supervisor', 'gate'], home: false },
  { path: '/audit', label: 'menu.audit', icon: markRaw(Tickets), roles: ['town_admin', 'platform_admin'] },
]

/** menuFor returns the entries a role sees, in order. */
export function menuFor(role) {
  return MENU.filter((m) => m.roles.includes(role))
}

/**
 * homeFor is where a role lands after signing in: its first menu entry that is not marked
 * home: false (a worker: the phone page; a gate guard: the gate page; a wall screen: the wall).
 */
export function homeFor(role) {
  if (role === 'worker') return '/checkin'
  if (role === 'gate') return '/gate'
  if (role === 'viewer') return '/wall'
  const first = menuFor(role).find((m) => m.home !== false)
  return first ? first.path : '/welcome'
}

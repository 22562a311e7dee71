// The one client of the Fugong REST API (/api/v1). It keeps the session (tokens and the signed-in
// user) in localStorage, attaches the access token, refreshes it once on a 401 and retries, and
// turns the server's error shape into an ApiError that forms can show beside their fields.
// The server owns every rule; nothing here validates input.
import { reactive } from 'vue'
import { i18n } from './i18n.js'

const BASE = '/api/v1'
const KEY_ACCESS = 'fugong.access'
const KEY_REFRESH = 'fugong.refresh'
const KEY_USER = 'fugong.user'

/** ApiError carries the HTTP status, the server's error code and message, and field messages. */
export class ApiError extends Error {
  constructor(status, code, message, fields = {}, body = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    // The whole answer, for errors that carry more than the error shape (a roster import's
    // row errors and counts).
    this.body = body
  }
}

function readUser() {
  try {
    return JSON.parse(localStorage.getItem(KEY_USER) || 'null')
  } catch {
    return null
  }
}

/** auth is the reactive session: the user of the login answer, and /me once loaded. */
export const auth = reactive({ user: readUser(), me: null })

let onSessionLost = () => {}

/** setSessionLostHandler registers what to do when the session cannot be refreshed. */
export function setSessionLostHandler(fn) {
  onSessionLost = fn
}

function saveSession(data) {
  localStorage.setItem(KEY_ACCESS, data.access_token)
  localStorage.setItem(KEY_REFRESH, data.refresh_token)
  if (data.user) {
    localStorage.setItem(KEY_USER, JSON.stringify(data.user))
    auth.user = data.user
  }
}

/** clearSession forgets the tokens and the user. */
export function clearSession() {
  localStorage.removeItem(KEY_ACCESS)
  localStorage.removeItem(KEY_REFRESH)
  localStorage.removeItem(KEY_USER)
  auth.user = null
  auth.me = null
}

/** isSignedIn reports whether a session is stored (it may still turn out to be expired). */
export function isSignedIn() {
  return !!localStorage.getItem(KEY_REFRESH) && !!auth.user
}

// Another tab may sign in or out: follow it.
window.addEventListener('storage', (e) => {
  if (e.key === KEY_USER || e.key === null) {
    auth.user = readUser()
    auth.me = null
  }
})

// fieldMap turns [{field, message}] into {field: message}; the first message per field wins.
function fieldMap(fields) {
  const out = {}
  for (const f of Array.isArray(fields) ? fields : []) {
    if (f && f.field && !(f.field in out)) out[f.field] = f.message
  }
  return out
}

async function toError(res) {
  let body = null
  try {
    body = await res.json()
  } catch {
    // not JSON: a proxy error page or an empty body
  }
  const e = body && body.error
  if (e && typeof e === 'object') {
    return new ApiError(res.status, e.code || '', e.message || res.statusText, fieldMap(e.fields), body)
  }
  const t = i18n.global.t
  return new ApiError(res.status, 'http_' + res.status, t('errors.http', { status: res.status }))
}

function url(path, query) {
  let u = BASE + path
  if (query) {
    const p = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') p.append(k, v)
    }
    const s = p.toString()
    if (s) u += '?' + s
  }
  return u
}

/** EVENT_STREAM is the media type of Server-Sent Events (the dashboard's live updates). */
export const EVENT_STREAM = 'text/event-stream'

/** XLSX is the media type of the workbooks the API sends and takes. */
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

// send makes one HTTP call. body is sent as JSON; form (a FormData) as multipart, with the
// boundary the browser chooses.
// headers adds request headers (e.g. Last-Event-ID); signal aborts the call.
async function send(method, path, { body, form, query, token, accept, headers: extra, signal } = {}) {
  const headers = { ...extra, Accept: accept || 'application/json', 'Accept-Language': i18n.global.locale.value }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (token) headers.Authorization = 'Bearer ' + token
  try {
    return await fetch(url(path, query), {
      method,
      headers,
      body: form !== undefined ? form : body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: accept === EVENT_STREAM ? 'no-store' : undefined,
    })
  } catch {
    throw new ApiError(0, 'network', i18n.global.t('errors.network'))
  }
}

// One refresh at a time: refresh tokens rotate, and presenting a spent one revokes the whole
// family, so concurrent 401s must share a single refresh call.
let refreshing = null

// refresh answers true (refreshed), false (the server refused the refresh token: the session is
// over) or null (the server could not be reached, or failed: the session may be fine, and a wall
// screen must not sign itself out because the server restarted while its token was due).
function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      const rt = localStorage.getItem(KEY_REFRESH)
      if (!rt) return false
      let res
      try {
        res = await send('POST', '/auth/refresh', { body: { refresh_token: rt } })
      } catch {
        return null
      }
      if (res.status >= 500) return null
      if (!res.ok) return false
      saveSession(await res.json())
      return true
    })()
      .catch(() => null)
      .finally(() => {
        refreshing = null
      })
  }
  return refreshing
}

async function parse(res) {
  const text = await res.text()
  return text && res.status !== 204 ? JSON.parse(text) : null
}

// AS_OF is the header of an answer read from a read replica: its data hold everything
// committed before that time (RFC 3339). An answer read from the primary has none.
const AS_OF = 'X-Fugong-Data-As-Of'

/**
 * dataAsOf keeps, by API path, the last answer of each GET that carried an as-of: {asOf, lag},
 * lag being how far behind the server's clock (its Date header, so that the browser's own clock
 * does not count) the data were when sent, in ms. A page says "数据截至 08:12:03" from them
 * (DataAsOf.vue); an answer without an as-of (read from the primary) removes its path.
 */
export const dataAsOf = reactive({ byPath: {} })

function noteAsOf(method, path, res) {
  if (method !== 'GET') return
  const asOf = Date.parse(res.headers.get(AS_OF) || '')
  if (Number.isNaN(asOf)) {
    delete dataAsOf.byPath[path]
    return
  }
  const sent = Date.parse(res.headers.get('Date') || '')
  dataAsOf.byPath[path] = { asOf, lag: Number.isNaN(sent) ? 0 : sent - asOf }
}

/** clearDataAsOf forgets the as-of of the answers of the page left. */
export function clearDataAsOf() {
  dataAsOf.byPath = {}
}

// authed sends a call with the access token. On a 401 it refreshes the token once and
// retries; when that fails too the session is cleared and the session-lost handler runs.
async function authed(method, path, opts) {
  const token = localStorage.getItem(KEY_ACCESS)
  let res = await send(method, path, { ...opts, token })
  if (res.status === 401 && token) {
    // Another tab or a concurrent call may already have refreshed.
    let fresh = localStorage.getItem(KEY_ACCESS)
    if (fresh === token) {
      const refreshed = await refresh()
      if (refreshed === null) throw new ApiError(0, 'network', i18n.global.t('errors.network'))
      fresh = refreshed ? localStorage.getItem(KEY_ACCESS) : null
    }
    if (fresh) res = await send(method, path, { ...opts, token: fresh })
    if (!fresh || res.status === 401) {
      const err = await toError(res)
      clearSession()
      onSessionLost()
      throw err
    }
  }
  if (res.ok) noteAsOf(method, path, res)
  return res
}

/**
 * request calls the API with the access token (refreshed once on a 401) and returns the
 * parsed JSON answer; an error answer throws an ApiError. opts: body (JSON), form (FormData),
 * query.
 */
export async function request(method, path, opts = {}) {
  const res = await authed(method, path, opts)
  if (!res.ok) throw await toError(res)
  return parse(res)
}

// fileName reads the name a Content-Disposition header gives (RFC 6266 filename* first).
function fileName(res, fallback) {
  const cd = res.headers.get('Content-Disposition') || ''
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      // a malformed name: use the plain one
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(cd)
  return (plain && plain[1]) || fallback
}

/**
 * fetchWorkbook calls the API for an .xlsx answer (template, export, a roster annotated with its
 * errors) with the token, and returns {blob, name, status}. An answer that is a workbook is
 * returned whatever its status (an annotated roster comes with 422); any other answer throws
 * its ApiError. opts: query, form, method (default GET), fallbackName.
 */
export async function fetchWorkbook(path, { method = 'GET', query, form, fallbackName = 'download.xlsx' } = {}) {
  const res = await authed(method, path, { query, form, accept: XLSX })
  const type = res.headers.get('Content-Type') || ''
  if (!type.startsWith(XLSX)) {
    if (!res.ok) throw await toError(res)
    throw new ApiError(res.status, 'unexpected', i18n.global.t('errors.http', { status: res.status }))
  }
  return { blob: await res.blob(), name: fileName(res, fallbackName), status: res.status }
}

/**
 * openStream opens a streaming GET (Server-Sent Events) with the access token, refreshed once on
 * a 401 like any call, so a stream that ended because its token expired reopens with a fresh one.
 * Returns the Response (read res.body); an error answer throws its ApiError (401: the session is
 * lost and has been cleared). opts: query, headers (e.g. Last-Event-ID), signal.
 */
export async function openStream(path, { query, headers, signal } = {}) {
  const res = await authed('GET', path, { query, headers, signal, accept: EVENT_STREAM })
  if (!res.ok) throw await toError(res)
  if (!res.body) throw new ApiError(res.status, 'unexpected', i18n.global.t('errors.http', { status: res.status }))
  return res
}

/** saveFile hands a downloaded blob to the browser as a file named name (same origin, no popup). */
export function saveFile(blob, name) {
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = name
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // The download has started from the object URL; let it go once the browser has read it.
  setTimeout(() => URL.revokeObjectURL(href), 60000)
}

/** downloadWorkbook fetches a workbook with the token and saves it; returns the file's name. */
export async function downloadWorkbook(path, opts = {}) {
  const { blob, name } = await fetchWorkbook(path, opts)
  saveFile(blob, name)
  return name
}

/** get, post, put, patch and del are shorthands of request. */
export const get = (path, query) => request('GET', path, { query })
export const post = (path, body) => request('POST', path, { body })
export const put = (path, body) => request('PUT', path, { body })
export const patch = (path, body) => request('PATCH', path, { body })
export const del = (path) => request('DELETE', path)
/** upload posts a FormData (multipart) and returns the JSON answer. */
export const upload = (path, form, query) => request('POST', path, { form, query })

/** login signs in with username and password and stores the session. */
export async function login(username, password) {
  const res = await send('POST', '/auth/login', { body: { username, password } })
  if (!res.ok) throw await toError(res)
  const data = await res.json()
  saveSession(data)
  auth.me = null
  return data.user
}

/**
 * workerLogin signs a returning worker in with the enterprise code, phone and the 6-digit PIN
 * they set. The answer has the staff login's shape (user.role "worker", plus worker_id) and the
 * session is kept and refreshed the same way.
 */
export async function workerLogin(enterpriseCode, phone, pin) {
  return workerSession('/auth/worker-login', { enterprise_code: enterpriseCode, phone, pin })
}

/**
 * workerEnrol sets a worker's PIN on their first sign-in (or after HR reset it), proving who
 * they are with the whole ID number, and signs them in.
 */
export async function workerEnrol(enterpriseCode, phone, idNumber, pin) {
  return workerSession('/auth/worker-enrol', { enterprise_code: enterpriseCode, phone, id_number: idNumber, pin })
}

async function workerSession(path, body) {
  const res = await send('POST', path, { body })
  if (!res.ok) throw await toError(res)
  const data = await res.json()
  saveSession({ ...data, user: { ...data.user, worker_id: data.worker_id ?? (data.user && data.user.worker_id) } })
  auth.me = null
  return auth.user
}

/** logout revokes the refresh token family on the server (best effort) and clears the session. */
export async function logout() {
  const rt = localStorage.getItem(KEY_REFRESH)
  try {
    if (rt) await request('POST', '/auth/logout', { body: { refresh_token: rt } })
  } catch {
    // the session is gone locally whatever the server said
  } finally {
    clearSession()
  }
}

/** loadMe fetches /me (name, township and enterprise names) once per session. */
export async function loadMe(force = false) {
  if (!auth.me || force) auth.me = await get('/me')
  return auth.me
}

// Live updates from a Server-Sent Events endpoint of the API (the dashboard's /dashboard/stream).
//
// EventSource cannot send the Authorization header, so the stream is read with fetch() and a
// ReadableStream (api.js's openStream, which also refreshes an expired access token once) and
// the SSE text format is parsed here. The server ends the stream when the access token it was
// opened with expires (and may drop it any time), so the client reconnects on every end or
// error, after a backoff of 1 s, 2 s, 4 s, 8 s, then 15 s (reset once a connection has delivered
// an event or lasted 10 s), sending Last-Event-ID so that the server can resume. A connection
// that stays silent for 45 s (the server sends a keep-alive comment every ~15 s) is dropped and
// reopened. It stops for good on close() and when the session is lost (401) or forbidden (403).
//
//   const live = connectLive('/dashboard/stream', {
//     query: { zone },
//     onEvent: (e) => {},     // {type, data, id}: type defaults to 'message', data is the text
//     onState: (s) => {},     // 'connecting' | 'open' | 'closed'
//     onError: (err) => {},   // every failed attempt (an ApiError or a read error)
//   })
//   live.close()
import { ApiError, openStream } from './api.js'

/** BACKOFF_MIN and BACKOFF_MAX bound the delay before a reconnection (ms). */
export const BACKOFF_MIN = 1000
export const BACKOFF_MAX = 15000
/** STALL_MS: a connection silent for this long is reopened. */
export const STALL_MS = 45000
// A connection that lasted this long (or delivered an event) starts the backoff over.
const HEALTHY_MS = 10000

/**
 * createSSEParser parses the text/event-stream format (WHATWG HTML § 9.2.6) fed in chunks of
 * decoded text: lines end with CRLF, LF or CR; `field: value` lines (one space after the colon
 * is dropped) for `event`, `data` (joined with LF), `id` (ignored when it holds NUL) and `retry`
 * (digits only); lines starting with a colon are comments; a blank line dispatches the event
 * (not when it has no data). Text after the last blank line is dropped at the end.
 * handlers: onEvent({type, data, id}), onComment(text), onRetry(ms). lastEventId starts at
 * initialId and is the id of the last dispatched event.
 */
export function createSSEParser({ onEvent, onComment, onRetry } = {}, initialId = '') {
  let buf = ''
  let data = []
  let type = ''
  let idBuf = initialId
  let lastEventId = initialId

  function line(l) {
    if (l === '') {
      lastEventId = idBuf
      if (data.length && onEvent) onEvent({ type: type || 'message', data: data.join('\n'), id: lastEventId })
      data = []
      type = ''
      return
    }
    if (l[0] === ':') {
      if (onComment) onComment(l.slice(1))
      return
    }
    const i = l.indexOf(':')
    const field = i < 0 ? l : l.slice(0, i)
    let value = i < 0 ? '' : l.slice(i + 1)
    if (value[0] === ' ') value = value.slice(1)
    switch (field) {
      case 'event':
        type = value
        break
      case 'data':
        data.push(value)
        break
      case 'id':
        if (!value.includes('\0')) idBuf = value
        break
      case 'retry':
        if (/^\d+$/.test(value) && onRetry) onRetry(Number(value))
        break
      default:
      // unknown fields are ignored
    }
  }

  return {
    /** push feeds the next chunk of text. */
    push(chunk) {
      buf += chunk
      let start = 0
      for (let i = 0; i < buf.length; i++) {
        const c = buf[i]
        if (c !== '\n' && c !== '\r') continue
        // A CR at the end of a chunk may be the first half of a CRLF: wait for the next chunk.
        if (c === '\r' && i === buf.length - 1) break
        line(buf.slice(start, i))
        if (c === '\r' && buf[i + 1] === '\n') i++
        start = i + 1
      }
      buf = buf.slice(start)
    },
    /** end finishes the stream: a pending CR ends its line; an unfinished event is dropped. */
    end() {
      if (buf.endsWith('\r')) line(buf.slice(0, -1))
      buf = ''
      data = []
      type = ''
    },
    get lastEventId() {
      return lastEventId
    },
  }
}

/**
 * connectLive keeps a Server-Sent Events stream of the API open until close(): see the top of
 * this file. Returns {close(), state, lastEventId}.
 */
export function connectLive(path, { query, onEvent, onState, onError } = {}) {
  let stopped = false
  let state = ''
  let lastEventId = ''
  let retryMs = BACKOFF_MIN
  let attempt = 0
  let controller = null
  let wake = null // resolves the pending backoff sleep early (on close)

  function setState(s) {
    if (s === state) return
    state = s
    if (onState) onState(s)
  }

  function sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wake = null
        resolve()
      }
      wake = done
    })
  }

  // readAll reads one connection until it ends, counting its events in conn.
  async function readAll(res, ctl, conn) {
    let stall = null
    const arm = () => {
      clearTimeout(stall)
      stall = setTimeout(() => ctl.abort(), STALL_MS)
    }
    const parser = createSSEParser(
      {
        onEvent(e) {
          conn.events++
          lastEventId = e.id
          if (!stopped && onEvent) onEvent(e)
        },
        onRetry(ms) {
          retryMs = Math.min(Math.max(ms, BACKOFF_MIN), BACKOFF_MAX)
        },
      },
      lastEventId,
    )
    const reader = res.body.getReader()
    const decoder = new TextDecoder('utf-8')
    arm()
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done || stopped) break
        arm()
        parser.push(decoder.decode(value, { stream: true }))
      }
      parser.push(decoder.decode())
      parser.end()
    } finally {
      clearTimeout(stall)
      lastEventId = parser.lastEventId
      reader.cancel().catch(() => {})
    }
  }

  async function run() {
    while (!stopped) {
      setState('connecting')
      const ctl = new AbortController()
      controller = ctl
      const conn = { opened: 0, events: 0 }
      try {
        const res = await openStream(path, {
          query,
          headers: lastEventId ? { 'Last-Event-ID': lastEventId } : undefined,
          signal: ctl.signal,
        })
        if (stopped) break
        setState('open')
        conn.opened = Date.now()
        await readAll(res, ctl, conn)
      } catch (err) {
        if (stopped) break
        if (onError) onError(err)
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
          stopped = true
          break
        }
      }
      if (stopped) break
      // A connection that delivered events or lasted a while starts the backoff over.
      if (conn.events > 0 || (conn.opened && Date.now() - conn.opened >= HEALTHY_MS)) attempt = 0
      setState('connecting')
      const delay = Math.min(BACKOFF_MAX, retryMs * 2 ** attempt)
      attempt++
      await sleep(delay)
    }
    if (controller) controller.abort()
    setState('closed')
  }

  run()

  return {
    /** close stops the stream for good (call it when the page unmounts). */
    close() {
      if (stopped && state === 'closed') return
      stopped = true
      if (controller) controller.abort()
      if (wake) wake()
    },
    get state() {
      return state
    },
    get lastEventId() {
      return lastEventId
    },
  }
}

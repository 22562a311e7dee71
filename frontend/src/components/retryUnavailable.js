// retryUnavailable runs fn, and again while it fails with 503: the server, or its database,
// is away for a moment (a failover of the cluster's PostgreSQL takes about ten seconds,
// RELIABILITY.md; a restarting process less) and says so with Retry-After: 2. A check-in is an
// upsert on (worker, date, slot), so one sent again is stored once. After tries in all, the
// last error stands and the page shows it. onRetry(n) is told before the n-th wait.
export async function retryUnavailable(fn, { tries = 8, waitMs = 2000, onRetry } = {}) {
  for (let i = 1; ; i++) {
    try {
      return await fn()
    } catch (err) {
      if (i >= tries || !err || err.status !== 503) throw err
      if (onRetry) onRetry(i)
      await new Promise((resolve) => setTimeout(resolve, waitMs))
    }
  }
}

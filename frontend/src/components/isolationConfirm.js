import { ElMessageBox } from 'element-plus'

/**
 * withIsolationConfirm sends a write that may place workers at risk in a batch their isolation
 * outlasts. The server refuses such a write once (409 on confirm_isolation, its message naming
 * the people and dates); HR is asked, and on yes the write goes again confirmed. send(confirm)
 * makes the request; a refusal by HR resolves to undefined, any other error is thrown.
 */
export async function withIsolationConfirm(send, t) {
  try {
    return await send(false)
  } catch (err) {
    if (!(err && err.status === 409 && err.fields && err.fields.confirm_isolation)) throw err
    try {
      await ElMessageBox.confirm(err.message, t('placement.isolationTitle'), {
        type: 'warning',
        customClass: 'isolation-confirm-box',
        confirmButtonClass: 'isolation-confirm',
        confirmButtonText: t('placement.isolationConfirm'),
        cancelButtonText: t('common.cancel'),
      })
    } catch {
      return undefined
    }
    return await send(true)
  }
}

import { ref } from 'vue'

/**
 * useFormErrors holds what the server said about a submitted form: fieldErrors maps a field
 * name to its message (for el-form-item :error), formError is the overall message, shown above
 * the form together with any field message that has no place on this form.
 */
export function useFormErrors(knownFields = []) {
  const fieldErrors = ref({})
  const formError = ref('')
  const busy = ref(false)

  function clear() {
    fieldErrors.value = {}
    formError.value = ''
  }

  function show(err) {
    const fields = (err && err.fields) || {}
    fieldErrors.value = fields
    const stray = Object.entries(fields)
      .filter(([k]) => knownFields.length && !knownFields.some((f) => k === f || k.startsWith(f + '[') || k.startsWith(f + '.')))
      .map(([k, m]) => `${k}: ${m}`)
    formError.value = [err && err.message, ...stray].filter(Boolean).join('；')
  }

  /** submit runs fn with the errors cleared and busy set; returns fn's value or undefined. */
  async function submit(fn) {
    clear()
    busy.value = true
    try {
      return await fn()
    } catch (err) {
      show(err)
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { fieldErrors, formError, busy, clear, show, submit }
}

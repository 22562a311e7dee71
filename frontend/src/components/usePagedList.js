import { reactive, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { get } from '../api.js'

/**
 * usePagedList loads a server-paginated list ({items, total}) with filters. Filters and the
 * page live in the address bar, so going back from a detail page returns to the same view.
 * path may be a function, for lists whose address is known only once the page has loaded
 * (the signed-in HR's own enterprise).
 */
export function usePagedList(path, filterDefaults = {}, { pageSize: defaultSize = 20 } = {}) {
  const route = useRoute()
  const router = useRouter()
  const q = route.query
  const filters = reactive({})
  for (const [k, v] of Object.entries(filterDefaults)) filters[k] = typeof q[k] === 'string' ? q[k] : v
  const page = ref(Number(q.page) > 0 ? Number(q.page) : 1)
  const pageSize = ref(Number(q.page_size) > 0 ? Number(q.page_size) : defaultSize)
  const items = ref([])
  const total = ref(0)
  const loading = ref(false)
  // loaded turns true once the first answer (or failure) is in: until then the list shows
  // skeletons, not an empty list and a total of 0.
  const loaded = ref(false)
  const error = ref('')
  let seq = 0

  async function load() {
    const mine = ++seq
    loading.value = true
    error.value = ''
    const query = { ...filters, page: page.value, page_size: pageSize.value }
    const urlQuery = {}
    for (const [k, v] of Object.entries(query)) if (v !== '' && v !== null && v !== undefined) urlQuery[k] = String(v)
    router.replace({ query: urlQuery }).catch(() => {})
    try {
      const res = await get(typeof path === 'function' ? path() : path, query)
      if (mine !== seq) return
      items.value = (res && res.items) || []
      total.value = (res && res.total) || 0
    } catch (err) {
      if (mine !== seq) return
      items.value = []
      total.value = 0
      error.value = err.message
    } finally {
      if (mine === seq) {
        loading.value = false
        loaded.value = true
      }
    }
  }

  /** search goes back to page 1 with the current filters. */
  function search() {
    page.value = 1
    return load()
  }

  function onPage(p) {
    page.value = p
    load()
  }

  function onSize(s) {
    pageSize.value = s
    page.value = 1
    load()
  }

  return { filters, page, pageSize, items, total, loading, loaded, error, load, search, onPage, onSize }
}

import { onBeforeUnmount, ref } from 'vue'

/** useIsMobile is true while the viewport is phone-sized (the side menu becomes a drawer). */
export function useIsMobile(query = '(max-width: 768px)') {
  const mq = window.matchMedia(query)
  const matches = ref(mq.matches)
  const onChange = (e) => {
    matches.value = e.matches
  }
  mq.addEventListener('change', onChange)
  onBeforeUnmount(() => mq.removeEventListener('change', onChange))
  return matches
}

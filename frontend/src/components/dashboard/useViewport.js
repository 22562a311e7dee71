import { onBeforeUnmount, ref } from 'vue'

// The window's size, shared by every part of the dashboard that scales with the screen, with
// one resize listener while any of them is shown (updated once per frame).
const width = ref(window.innerWidth)
const height = ref(window.innerHeight)
let users = 0
let frame = 0

function onResize() {
  cancelAnimationFrame(frame)
  frame = requestAnimationFrame(() => {
    width.value = window.innerWidth
    height.value = window.innerHeight
  })
}

/** useViewport returns the window's width and height as refs, for the calling component's life. */
export function useViewport() {
  if (users++ === 0) {
    width.value = window.innerWidth
    height.value = window.innerHeight
    window.addEventListener('resize', onResize)
  }
  onBeforeUnmount(() => {
    if (--users === 0) {
      window.removeEventListener('resize', onResize)
      cancelAnimationFrame(frame)
    }
  })
  return { width, height }
}

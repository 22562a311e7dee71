import { computed } from 'vue'
import { useViewport } from './useViewport.js'

/** CHART_HEIGHT: the dashboard's charts grow with the screen, within bounds. */
export const CHART_HEIGHT = 'clamp(240px, 32vh, 760px)'

/** COLORS of the dashboard's series, the same in every chart. */
export const COLORS = { returned: '#12417f', am: '#2f9e6e', pm: '#e6a23c', fever: '#d9534f', completion: '#7a5af8', origin: '#3a78c2', planned: '#8a9bb5', early: '#c77c02' }

/**
 * useChartStyle gives the charts their text size, which scales with the screen (12 px on a
 * laptop, ~15 on 1080p, ~23 on a 4K wall), and the options they have in common.
 */
export function useChartStyle() {
  const { width } = useViewport()
  const fs = computed(() => Math.round(Math.min(30, Math.max(12, width.value * 0.0045 + 6))))

  function base() {
    const f = fs.value
    return {
      textStyle: { fontSize: f },
      tooltip: { trigger: 'axis', textStyle: { fontSize: f } },
      legend: { top: 0, textStyle: { fontSize: f }, itemWidth: f * 1.6, itemHeight: f * 0.9 },
      // A narrow chart's legend wraps onto a second line.
      grid: { left: 8, right: 12, top: f * (width.value < 700 ? 4.6 : 3.2), bottom: 8, containLabel: true },
    }
  }
  function axisLabel(extra = {}) {
    return { fontSize: fs.value, ...extra }
  }
  return { fs, base, axisLabel }
}

// The wall screen's charts are the dashboard's (the same series and options in common of
// components/dashboard/useChartStyle.js) drawn on a dark ground: light text, faint grid lines,
// and text sized in the wall's unit (WallPage.vue's --u), so that a 4K wall reads as a 1080p one.
import { computed } from 'vue'
import { useChartStyle } from '../dashboard/useChartStyle.js'
import { useViewport } from '../dashboard/useViewport.js'

const TEXT = '#d6e8ff'
const FAINT = 'rgba(160, 200, 255, 0.16)'

/** WALL_COLORS brighten the dashboard's darker series for the dark ground. */
export const WALL_COLORS = { returned: '#4ea8ff', am: '#3ddc97', pm: '#ffc53d', fever: '#ff5b5b', completion: '#b18cff' }

function axis(a, fs) {
  return {
    ...a,
    axisLabel: { ...(a.axisLabel || {}), color: TEXT, fontSize: fs },
    nameTextStyle: { ...(a.nameTextStyle || {}), color: TEXT, fontSize: fs },
    axisLine: { lineStyle: { color: FAINT } },
    splitLine: a.splitLine && a.splitLine.show === false ? a.splitLine : { lineStyle: { color: FAINT } },
  }
}

/** useDarkChart gives the wall's charts their text size and dark(option), which recolours one. */
export function useDarkChart() {
  const { base } = useChartStyle()
  const { width, height } = useViewport()
  // --u is min(1vh, 0.5625vw): the text is 1.5 units, 16 px at 1080p and 32 px on a 4K wall.
  const fs = computed(() => Math.max(12, Math.round(1.5 * Math.min(height.value / 100, width.value * 0.005625))))
  function dark(option) {
    const b = base()
    const f = fs.value
    const axes = (x) => (Array.isArray(x) ? x.map((a) => axis(a, f)) : axis(x, f))
    return {
      ...b,
      ...option,
      backgroundColor: 'transparent',
      textStyle: { fontSize: f, color: TEXT },
      legend: { top: 0, textStyle: { fontSize: f, color: TEXT }, itemWidth: f * 1.6, itemHeight: f * 0.9 },
      grid: { ...b.grid, top: f * 2.8 },
      xAxis: axes(option.xAxis),
      yAxis: axes(option.yAxis),
      // No tooltip: nobody points at a wall.
      tooltip: { show: false },
      // A chart is drawn anew at every update (EChart.vue sets the whole option): growing from
      // nothing each time would make the wall flicker every minute.
      animation: false,
    }
  }
  return { fs, dark }
}

// The wall screen's charts are the dashboard's (the same series, colours and text sizes of
// components/dashboard/useChartStyle.js) drawn on a dark ground: light text, faint grid lines.
import { useChartStyle } from '../dashboard/useChartStyle.js'

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
  const { fs, base } = useChartStyle()
  function dark(option) {
    const b = base()
    const f = fs.value
    const axes = (x) => (Array.isArray(x) ? x.map((a) => axis(a, f)) : axis(x, f))
    return {
      ...b,
      ...option,
      backgroundColor: 'transparent',
      textStyle: { ...b.textStyle, color: TEXT },
      legend: { ...b.legend, textStyle: { ...b.legend.textStyle, color: TEXT } },
      grid: { ...b.grid, top: f * 2.8 },
      xAxis: axes(option.xAxis),
      yAxis: axes(option.yAxis),
      // No tooltip: nobody points at a wall.
      tooltip: { show: false },
      animationDuration: 600,
    }
  }
  return { fs, dark }
}

// vTestInput puts a data-test attribute on the <input> inside a wrapped Element Plus input
// (date picker, number input), whose own attributes land elsewhere (the popper, the wrapper),
// so browser tests can type into [data-test="…"] directly. Usage:
//   <span v-test-input="'batch-date-' + i"><el-date-picker … /></span>
function apply(el, value) {
  const input = el.querySelector('input')
  if (input && input.getAttribute('data-test') !== value) input.setAttribute('data-test', value)
}

export const vTestInput = {
  mounted: (el, { value }) => apply(el, value),
  updated: (el, { value }) => apply(el, value),
}

// vRowData puts data-* attributes on the table row (<tr>) a cell belongs to, so that a browser
// test can take a row by what it shows (tr.channel-row[data-channel-id="3"]) and click inside
// it; el-table gives rows a class (row-class-name) but no attributes. Usage, in any cell:
//   <span v-row-data="{ channelId: row.id }" />
function applyRow(el, value) {
  const tr = el.closest('tr')
  if (!tr || !value) return
  for (const [k, v] of Object.entries(value)) {
    const s = v === null || v === undefined ? '' : String(v)
    if (tr.dataset[k] !== s) tr.dataset[k] = s
  }
}

export const vRowData = {
  mounted: (el, { value }) => applyRow(el, value),
  updated: (el, { value }) => applyRow(el, value),
}

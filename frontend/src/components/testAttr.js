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

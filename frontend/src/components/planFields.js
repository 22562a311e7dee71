// The fields of a reopening plan (一企一策) in the order the form and the read-only views show
// them, and the conversions between an API plan, the edit form and the PUT/POST body.
import { i18n } from '../i18n.js'

/** SUPPLY_KEYS are the supplies in stock, in display order (labels: plan.f.supplies_<key>). */
export const SUPPLY_KEYS = ['masks', 'thermometers', 'disinfectant_liters', 'gloves', 'goggles']

/**
 * PLAN_SECTIONS group the fields as the form shows them; each field is the API's name, nested
 * ones dotted (supplies.masks), which is also how the server names them in field errors.
 */
export const PLAN_SECTIONS = [
  { key: 'basic', fields: ['planned_reopen_date', 'expected_workers'] },
  { key: 'lead', fields: ['lead_name', 'lead_phone'] },
  { key: 'supplies', fields: SUPPLY_KEYS.map((k) => 'supplies.' + k) },
  { key: 'isolation', fields: ['isolation_room'] },
  { key: 'batches', fields: ['batches'] },
  { key: 'living', fields: ['shift_size', 'canteen', 'dormitory', 'disinfection'] },
  { key: 'emergency', fields: ['emergency_plan'] },
  { key: 'pledge', fields: ['pledge'] },
]

/** PLAN_FIELDS are the top-level fields of the plan body (for useFormErrors). */
export const PLAN_FIELDS = [
  'planned_reopen_date',
  'expected_workers',
  'lead_name',
  'lead_phone',
  'supplies',
  'isolation_room',
  'batches',
  'shift_size',
  'canteen',
  'dormitory',
  'disinfection',
  'emergency_plan',
  'pledge',
]

/**
 * SUBMIT_REQUIRED are the fields a submission must fill in, as the server's CheckSubmit
 * (domain/plan_rules.go) asks for them: every section, the four supplies whose stock it counts
 * in days (masks, thermometers, disinfectant, gloves; goggles are optional), at least one batch
 * with its date and headcount, and the pledge. The form marks them before the first try; the
 * server still checks them and says what is missing.
 */
export const SUBMIT_REQUIRED = new Set([
  'planned_reopen_date',
  'expected_workers',
  'lead_name',
  'lead_phone',
  'supplies.masks',
  'supplies.thermometers',
  'supplies.disinfectant_liters',
  'supplies.gloves',
  'isolation_room',
  'batches',
  'shift_size',
  'canteen',
  'dormitory',
  'disinfection',
  'emergency_plan',
  'pledge',
])

/** isRequired reports whether a submission needs the (possibly dotted) field. */
export function isRequired(field) {
  return SUBMIT_REQUIRED.has(field)
}

/** fieldLabel is the label of a (possibly dotted) field name. */
export function fieldLabel(field) {
  return i18n.global.t('plan.f.' + field.replace('.', '_'))
}

function pick(plan, field) {
  if (!plan) return undefined
  return field.split('.').reduce((v, k) => (v === null || v === undefined ? undefined : v[k]), plan)
}

const UNITS = {
  expected_workers: 'plan.unit.people',
  shift_size: 'plan.unit.people',
  'supplies.masks': 'plan.unit.masks',
  'supplies.thermometers': 'plan.unit.thermometers',
  'supplies.disinfectant_liters': 'plan.unit.liters',
  'supplies.gloves': 'plan.unit.pairs',
  'supplies.goggles': 'plan.unit.goggles',
}

/** displayValue is one field of a plan as text for read-only views ('—' when empty). */
export function displayValue(plan, field) {
  const t = i18n.global.t
  const v = pick(plan, field)
  if (field === 'pledge') return v ? t('plan.pledged') : t('plan.notPledged')
  if (field === 'batches') {
    const list = Array.isArray(v) ? v : []
    if (!list.length) return t('common.empty')
    return list
      .map((b) => {
        const args = { date: b.date || t('common.empty'), workers: b.workers ?? t('common.empty') }
        const deps = Array.isArray(b.departments) ? b.departments : []
        return deps.length ? t('plan.batchLineDepartments', { ...args, departments: deps.join('、') }) : t('plan.batchLine', args)
      })
      .join('\n')
  }
  if (v === null || v === undefined || v === '') return t('common.empty')
  return UNITS[field] ? `${v} ${t(UNITS[field])}` : String(v)
}

/** sameValue reports whether a field is unchanged between two plans (for the comparison view). */
export function sameValue(a, b, field) {
  return displayValue(a, field) === displayValue(b, field)
}

/** DISPLAY_FIELDS are all the fields of PLAN_SECTIONS, in order. */
export const DISPLAY_FIELDS = PLAN_SECTIONS.flatMap((s) => s.fields)

function num(v) {
  return v === null || v === undefined || v === '' ? null : Number(v)
}

// The API answers 0 for a number not given yet; the form shows it empty, so that typing into
// a fresh draft does not append to a 0 (and a submission names it as missing either way).
function given(v) {
  return v === null || v === undefined || v === '' || Number(v) === 0 ? null : Number(v)
}

/** formFromPlan makes the edit form's state from a plan (empty fields stay empty). */
export function formFromPlan(p = {}) {
  const s = p.supplies || {}
  return {
    planned_reopen_date: p.planned_reopen_date || '',
    expected_workers: given(p.expected_workers),
    lead_name: p.lead_name || '',
    lead_phone: p.lead_phone || '',
    supplies: Object.fromEntries(SUPPLY_KEYS.map((k) => [k, given(s[k])])),
    isolation_room: p.isolation_room || '',
    batches: (p.batches || []).map((b) => ({
      date: b.date || '',
      workers: given(b.workers),
      departments: Array.isArray(b.departments) ? [...b.departments] : [],
    })),
    shift_size: given(p.shift_size),
    canteen: p.canteen || '',
    dormitory: p.dormitory || '',
    disinfection: p.disinfection || '',
    emergency_plan: p.emergency_plan || '',
    pledge: !!p.pledge,
  }
}

function text(v) {
  return typeof v === 'string' ? v.trim() : ''
}

/**
 * bodyFromForm is the full plan body for PUT (and for POST when revising). Empty numbers and
 * dates go as null: a draft may be incomplete, and the server says what a submission lacks.
 */
export function bodyFromForm(f) {
  return {
    planned_reopen_date: f.planned_reopen_date || null,
    expected_workers: num(f.expected_workers),
    lead_name: text(f.lead_name),
    lead_phone: text(f.lead_phone),
    supplies: Object.fromEntries(SUPPLY_KEYS.map((k) => [k, num(f.supplies[k])])),
    isolation_room: text(f.isolation_room),
    batches: f.batches.map((b) => ({
      date: b.date || null,
      workers: num(b.workers),
      departments: (b.departments || []).map(text).filter(Boolean),
    })),
    shift_size: num(f.shift_size),
    canteen: text(f.canteen),
    dormitory: text(f.dormitory),
    disinfection: text(f.disinfection),
    emergency_plan: text(f.emergency_plan),
    pledge: !!f.pledge,
  }
}

/** previousVersion is the version just below plan among versions (any order), or null. */
export function previousVersion(versions, plan) {
  let prev = null
  for (const v of versions || []) {
    if (v.id !== plan.id && v.version < plan.version && (!prev || v.version > prev.version)) prev = v
  }
  return prev
}

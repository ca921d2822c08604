export { FaultRegistry, type RequestFacts, type SelectedFault } from './registry.ts'
export { FaultScopes } from './scopes.ts'
export { FaultPlan, type FaultError, type Step } from './plan.ts'
export {
  ACTION_TYPES,
  TRANSPORTS,
  ruleProblems,
  type Delay,
  type FaultAction,
  type FaultMatch,
  type FaultRule,
  type FaultRuleInput,
  type NameMatch,
  type FaultScope,
  type SessionPoint,
  type Transport,
} from './rule.ts'

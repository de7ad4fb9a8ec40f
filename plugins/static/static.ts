/**
 * static: fixed weights. A projection without `plasticity` is static already; naming the rule
 * states it explicitly. It adds nothing to the run: no dynamics object is made.
 */
import type { PlasticityRulePlugin } from '../../core/contracts.js';
import { definePlugin } from '../../core/define.js';

export const StaticRule = definePlugin.plasticityRule({
  name: 'static',
  description: 'fixed weights (the default when a projection has no plasticity)',
  params: [],
  create: () => null,
});

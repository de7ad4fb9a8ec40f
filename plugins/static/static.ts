import { definePlugin } from '../../core/define.js';

export const StaticRule = definePlugin.plasticityRule({
  name: 'static',
  description: 'fixed weights (the default when a projection has no plasticity)',
  params: [],
  create: () => null,
});

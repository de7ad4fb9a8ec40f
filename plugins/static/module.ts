import { ContainerModule } from 'inversify';
import { PlasticityRuleToken } from '../../core/tokens.js';
import { StaticRule } from './static.js';

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(StaticRule);
});

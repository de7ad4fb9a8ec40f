import { ContainerModule } from 'inversify';
import { PlasticityRuleToken } from '../../core/tokens.js';
import { StdpRule } from './stdp.js';

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(StdpRule);
});

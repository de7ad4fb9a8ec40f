import { ContainerModule } from 'inversify';
import { PlasticityRuleToken } from '../../core/tokens.js';
import { DecorrelationRule } from './decorrelation.js';

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(DecorrelationRule);
});

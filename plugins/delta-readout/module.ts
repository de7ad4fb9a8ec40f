import { ContainerModule } from 'inversify';
import { PlasticityRuleToken } from '../../core/tokens.js';
import { DeltaReadoutRule } from './delta-readout.js';

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(DeltaReadoutRule);
});

import { ContainerModule } from 'inversify';
import { PlasticityRuleToken } from '../../core/tokens.js';
import { TripletRule } from './triplet.js';

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(TripletRule);
});

import { ContainerModule } from 'inversify';
import { InputSourceToken } from '../../core/tokens.js';
import { PairRewardInput } from './pair-reward.js';

export default new ContainerModule(({ bind }) => {
  bind(InputSourceToken).toConstantValue(PairRewardInput);
});

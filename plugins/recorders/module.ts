import { ContainerModule } from 'inversify';
import { RecorderToken } from '../../core/tokens.js';
import {
  RatesRecorder,
  RuleStateRecorderPlugin,
  SpikesRecorder,
  StateRecorderPlugin,
  StdpWindowRecorder,
  WeightsRecorder,
  WeightTraceRecorderPlugin,
} from './recorders.js';

/** The standard recorders share one folder: they are one kind of thing (monitors). */
export default new ContainerModule(({ bind }) => {
  bind(RecorderToken).toConstantValue(SpikesRecorder);
  bind(RecorderToken).toConstantValue(StateRecorderPlugin);
  bind(RecorderToken).toConstantValue(RatesRecorder);
  bind(RecorderToken).toConstantValue(WeightsRecorder);
  bind(RecorderToken).toConstantValue(StdpWindowRecorder);
  bind(RecorderToken).toConstantValue(WeightTraceRecorderPlugin);
  bind(RecorderToken).toConstantValue(RuleStateRecorderPlugin);
});

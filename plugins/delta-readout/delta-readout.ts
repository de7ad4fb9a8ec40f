/**
 * delta-readout: the local delta rule of the output layer (paper-notes section 4): the
 * softmax cross-entropy gradient per sample, dW_ij = -eta (p_i - y_i) x_j. The training
 * protocol sends p - y for the readout population on the channel error/<population> at the
 * end of each training sample; the rule is ib-hebbian's with that channel and gain one.
 */
import { errorChannel } from '../../training/protocol.js';
import { signalGatedRule } from '../ib-hebbian/ib-hebbian.js';

export const DeltaReadoutRule = signalGatedRule(
  'delta-readout',
  'local delta rule on the readout: dW = -eta (p_i - y_i) x_j, error from the training protocol',
  errorChannel,
  'one',
);

/**
 * The knowledge the differ consults, as one injectable object: the real module by default, a fake
 * of the same shape in tests of the comparison logic.
 */
import * as flags from '../knowledge/flags.js';
import { fileRefRule } from '../knowledge/file-refs.js';

export interface DiffKnowledge {
  flagInfo: typeof flags.flagInfo;
  canonicalFlagName: typeof flags.canonicalFlagName;
  normalizeFlagValue: typeof flags.normalizeFlagValue;
  effectiveDefault: typeof flags.effectiveDefault;
  securityVerdict: typeof flags.securityVerdict;
  isSecurityFlag: typeof flags.isSecurityFlag;
  removedAt: typeof flags.removedAt;
  flagForConfigField: typeof flags.flagForConfigField;
  fileRefRule: typeof fileRefRule;
  /** Admission plugins in effect (defaults + enabled - disabled); optional so small fakes may leave it out. */
  effectiveAdmissionPlugins?: typeof flags.effectiveAdmissionPlugins;
  defaultAdmissionPlugins?: typeof flags.defaultAdmissionPlugins;
  admissionPluginRemovedAt?: typeof flags.admissionPluginRemovedAt;
}

export const defaultKnowledge: DiffKnowledge = {
  flagInfo: flags.flagInfo,
  canonicalFlagName: flags.canonicalFlagName,
  normalizeFlagValue: flags.normalizeFlagValue,
  effectiveDefault: flags.effectiveDefault,
  securityVerdict: flags.securityVerdict,
  isSecurityFlag: flags.isSecurityFlag,
  removedAt: flags.removedAt,
  flagForConfigField: flags.flagForConfigField,
  fileRefRule,
  effectiveAdmissionPlugins: flags.effectiveAdmissionPlugins,
  defaultAdmissionPlugins: flags.defaultAdmissionPlugins,
  admissionPluginRemovedAt: flags.admissionPluginRemovedAt,
};

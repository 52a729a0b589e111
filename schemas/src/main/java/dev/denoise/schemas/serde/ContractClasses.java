package dev.denoise.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 only instantiates classes it trusts when it resolves a record's nested types by name
 * (ModelVersion's TrainingInfo, SampleFailure's SourceRecord). The generated contract classes are
 * trusted here, in addition to whatever the process already trusts.
 */
final class ContractClasses {
    private static final String CONTRACTS_PACKAGE = "dev.denoise.schemas";
    private static boolean trusted;

    private ContractClasses() {}

    static synchronized void trust() {
        if (trusted) {
            return;
        }
        ClassSecurityValidator.ClassSecurityPredicate contracts =
                type -> CONTRACTS_PACKAGE.equals(type.getPackageName());
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), contracts));
        trusted = true;
    }
}

package dev.denoise.cli;

import dev.denoise.schemas.config.Setting;

/** A setting's help line, from its one definition: what it means, what it allows, its default and its environment variable. */
final class SettingHelp {
    private SettingHelp() {
    }

    static String describe(Setting<?> setting) {
        return setting.doc() + " [" + setting.expected()
                + (setting.defaultValue() == null ? "" : "; default " + setting.defaultText())
                + "; env " + setting.envVar() + "]";
    }
}

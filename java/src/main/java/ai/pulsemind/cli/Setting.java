package ai.pulsemind.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The library settings a CLI option feeds, when their names differ from the option's field: on
 * {@code @Option(names = "--shard-size") @Setting("recordsPerShard") int shardSize;} an
 * {@link ai.pulsemind.config.InvalidSetting} about {@code recordsPerShard} is reported as {@code --shard-size ...}.
 * An option whose field has the setting's name needs no annotation. See {@link FlagNames}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface Setting {
    /** Setting names as the library spells them (record components, parameters). */
    String[] value();
}

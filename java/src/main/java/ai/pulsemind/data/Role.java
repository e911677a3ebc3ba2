package ai.pulsemind.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Who speaks a turn. JSON spells them in lower case: {@code patient}, {@code doctor}. */
public enum Role {
    PATIENT, DOCTOR;

    @JsonValue
    public String json() { return name().toLowerCase(java.util.Locale.ROOT); }

    @JsonCreator
    public static Role parse(String s) {
        for (Role r : values()) if (r.json().equals(s)) return r;
        throw new IllegalArgumentException("role must be patient or doctor, got '" + s + "'");
    }

    public Role other() { return this == PATIENT ? DOCTOR : PATIENT; }
}

//! Enumerations with fixed value strings (docs/pipeline.md#data-model). Python sees the members
//! under the UPPER_CASE names of the Python reference (`vsg_core/models/enums.py`) and the same values.
use super::error::{ModelError, ModelResult};
use super::json::quoted;
use pyo3::prelude::*;
use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! value_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = ($py_name:literal, $value:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[pyclass(module = "vsg_core_rs", eq, frozen, hash, from_py_object)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[pyo3(name = $py_name)]
                $variant,
            )+
        }

        impl $name {
            /// Every member in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The Python class name (used in messages).
            pub const NAME: &'static str = stringify!($name);

            /// The value string written to JSON/settings.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value),+
                }
            }

            /// The UPPER_CASE member name Python sees.
            pub fn py_name(self) -> &'static str {
                match self {
                    $($name::$variant => $py_name),+
                }
            }

            /// The member whose value string is `value`; the error lists the valid values.
            pub fn from_value(value: &str) -> ModelResult<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|m| m.as_str() == value)
                    .ok_or_else(|| {
                        ModelError::invalid(format!(
                            "invalid {} value '{value}': valid values are {}",
                            Self::NAME,
                            quoted(Self::ALL.iter().map(|m| m.as_str()))
                        ))
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

value_enum!(
    /// Kind of a track (mkvmerge type names).
    TrackType {
        Video = ("VIDEO", "video"),
        Audio = ("AUDIO", "audio"),
        Subtitles = ("SUBTITLES", "subtitles"),
    }
);

value_enum!(
    /// How delays are measured.
    AnalysisMode {
        Audio = ("AUDIO", "Audio Correlation"),
        Video = ("VIDEO", "VideoDiff"),
    }
);

value_enum!(
    /// Chapter snapping direction.
    SnapMode {
        Previous = ("PREVIOUS", "previous"),
        Nearest = ("NEAREST", "nearest"),
    }
);

value_enum!(
    /// State of one pipeline step.
    StepStatus {
        Pending = ("PENDING", "pending"),
        Running = ("RUNNING", "running"),
        Success = ("SUCCESS", "success"),
        Warning = ("WARNING", "warning"),
        Skipped = ("SKIPPED", "skipped"),
        Failed = ("FAILED", "failed"),
    }
);

value_enum!(
    /// Outcome of the audio correction of one source.
    CorrectionVerdict {
        Uniform = ("UNIFORM", "uniform"),
        Stepped = ("STEPPED", "stepped"),
        Failed = ("FAILED", "failed"),
    }
);

value_enum!(
    /// Drift diagnosis of one source (docs/analysis.md#drift-and-stepping).
    DiagnosisKind {
        Uniform = ("UNIFORM", "UNIFORM"),
        Stepping = ("STEPPING", "STEPPING"),
        PalDrift = ("PAL_DRIFT", "PAL_DRIFT"),
        LinearDrift = ("LINEAR_DRIFT", "LINEAR_DRIFT"),
        InsufficientData = ("INSUFFICIENT_DATA", "INSUFFICIENT_DATA"),
        NoMatch = ("NO_MATCH", "NO_MATCH"),
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_strings_are_fixed() {
        // docs/pipeline.md#data-model.
        let track: Vec<_> = TrackType::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(track, ["video", "audio", "subtitles"]);
        assert_eq!(AnalysisMode::Audio.as_str(), "Audio Correlation");
        assert_eq!(AnalysisMode::Video.as_str(), "VideoDiff");
        assert_eq!(SnapMode::Nearest.as_str(), "nearest");
        let status: Vec<_> = StepStatus::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(
            status,
            ["pending", "running", "success", "warning", "skipped", "failed"]
        );
        assert_eq!(CorrectionVerdict::Stepped.as_str(), "stepped");
        assert_eq!(DiagnosisKind::PalDrift.as_str(), "PAL_DRIFT");
        assert_eq!(
            DiagnosisKind::InsufficientData.py_name(),
            "INSUFFICIENT_DATA"
        );
    }

    #[test]
    fn from_value_round_trips_and_lists_valid_values() {
        for m in StepStatus::ALL {
            assert_eq!(StepStatus::from_value(m.as_str()).unwrap(), *m);
        }
        let err = TrackType::from_value("Audio").unwrap_err();
        assert_eq!(
            err.message(),
            "invalid TrackType value 'Audio': valid values are 'video', 'audio', 'subtitles'"
        );
        assert_eq!(AnalysisMode::Video.to_string(), "VideoDiff");
        assert_eq!(
            serde_json::to_string(&TrackType::Subtitles).unwrap(),
            "\"subtitles\""
        );
    }
}

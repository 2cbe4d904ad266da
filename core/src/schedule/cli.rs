//! [`CurriculumConfig`] as command-line flags (the `cli` feature), so that a front end
//! flattens core's config into its own flags instead of restating it: `--masking NAME`,
//! `--cm-gems-threshold PPL|PCT%` and `--cm-gems-patience N`.
//!
//! clap derives `Args` for structs only, and the config is an enum whose settings belong to
//! one variant, so the flags are implemented here by hand. CM-Step's length is the run's,
//! which these flags do not hold: a CM-Step they choose has `max_steps` 0, which
//! [`CurriculumConfig::validate`] refuses until the front end sets its run length
//! (`train pretrain` sets its `--steps`).

use super::curriculum::{CurriculumConfig, CurriculumKind, SwitchThreshold};
use alloc::string::ToString;
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};

const HEADING: &str = "Masking";
const KIND: &str = "masking";
const THRESHOLD: &str = "cm_gems_threshold";
const PATIENCE: &str = "cm_gems_patience";

impl Args for CurriculumConfig {
    fn augment_args(cmd: Command) -> Command {
        cmd.arg(
            Arg::new(KIND)
                .long("masking")
                .value_name("MASKING")
                .value_parser(clap::value_parser!(CurriculumKind))
                .default_value("cm-gems")
                .help("The masker or curriculum")
                .help_heading(HEADING),
        )
        .arg(
            Arg::new(THRESHOLD)
                .long("cm-gems-threshold")
                .value_name("PPL|PCT%")
                .value_parser(clap::value_parser!(SwitchThreshold))
                .default_value(CurriculumConfig::DEFAULT_THRESHOLD.to_string())
                .help(
                    "CM-GEMS switches to GLOBAL when held-out perplexity falls by less than \
                     this between evaluations: perplexity points (the paper's rule), or a \
                     share of the current perplexity such as 0.5%",
                )
                .help_heading(HEADING),
        )
        .arg(
            Arg::new(PATIENCE)
                .long("cm-gems-patience")
                .value_name("N")
                .value_parser(clap::value_parser!(u32))
                .default_value(CurriculumConfig::DEFAULT_PATIENCE.to_string())
                .help("CM-GEMS switches after this many consecutive flat pairs of evaluations")
                .help_heading(HEADING),
        )
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for CurriculumConfig {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut config = CurriculumConfig::cm_gems();
        config.update_from_arg_matches(matches)?;
        Ok(config)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.update(matches, |_| true)
    }
}

impl CurriculumConfig {
    /// Applies only the flags given on the command line, not their defaults: a config read
    /// from a file keeps what no flag changes (`--cm-gems-patience 2` keeps the file's
    /// threshold; `--masking cm-gems` keeps its CM-GEMS settings, if it had them).
    pub fn update_from_command_line(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.update(matches, |id| {
            matches.value_source(id) == Some(ValueSource::CommandLine)
        })
    }

    /// Applies the flags whose id `take` accepts.
    fn update(
        &mut self,
        matches: &ArgMatches,
        take: impl Fn(&str) -> bool,
    ) -> Result<(), clap::Error> {
        fn one<T: Clone + Send + Sync + 'static>(
            matches: &ArgMatches,
            id: &str,
        ) -> Result<Option<T>, clap::Error> {
            matches
                .try_get_one::<T>(id)
                .map(Option::<&T>::cloned)
                .map_err(|e| clap::Error::raw(ErrorKind::InvalidValue, e))
        }
        let kind = if take(KIND) {
            one(matches, KIND)?
        } else {
            None
        };
        let max_steps = match *self {
            CurriculumConfig::CmStep { max_steps } | CurriculumConfig::RandomMask { max_steps } => {
                max_steps
            }
            _ => 0,
        };
        let mut next = self.switched_to(kind.unwrap_or(self.kind()), max_steps);
        if let CurriculumConfig::CmGems {
            threshold,
            patience,
        } = &mut next
        {
            if take(THRESHOLD) {
                *threshold = one(matches, THRESHOLD)?.unwrap_or(*threshold);
            }
            if take(PATIENCE) {
                *patience = one(matches, PATIENCE)?.unwrap_or(*patience);
            }
        }
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::Strategy;

    fn matches(args: &[&str]) -> ArgMatches {
        CurriculumConfig::augment_args(Command::new("t"))
            .try_get_matches_from(core::iter::once("t").chain(args.iter().copied()))
            .unwrap()
    }

    #[test]
    fn flags_parse_to_the_curriculum_and_defaults_are_the_authors() {
        let parse = |args: &[&str]| CurriculumConfig::from_arg_matches(&matches(args)).unwrap();
        assert_eq!(parse(&[]), CurriculumConfig::cm_gems());
        assert_eq!(
            parse(&["--cm-gems-threshold", "1%", "--cm-gems-patience", "3"]),
            CurriculumConfig::CmGems {
                threshold: SwitchThreshold::Relative(0.01),
                patience: 3
            }
        );
        assert_eq!(
            parse(&["--masking", "genemask", "--cm-gems-patience", "3"]),
            CurriculumConfig::Fixed(Strategy::GeneMask)
        );
        assert!(parse(&["--masking", "cm-step"]).validate().is_err());
    }

    #[test]
    fn the_command_line_changes_only_what_it_gives() {
        let file = CurriculumConfig::CmGems {
            threshold: SwitchThreshold::Relative(0.01),
            patience: 3,
        };
        let mut c = file;
        c.update_from_command_line(&matches(&[])).unwrap();
        assert_eq!(c, file);
        c.update_from_command_line(&matches(&["--cm-gems-patience", "2"]))
            .unwrap();
        let two = CurriculumConfig::CmGems {
            threshold: SwitchThreshold::Relative(0.01),
            patience: 2,
        };
        assert_eq!(c, two);
        let mut step = CurriculumConfig::CmStep { max_steps: 9 };
        step.update_from_command_line(&matches(&["--cm-gems-patience", "2"]))
            .unwrap();
        assert_eq!(step, CurriculumConfig::CmStep { max_steps: 9 });
        step.update_from_command_line(&matches(&["--masking", "global"]))
            .unwrap();
        assert_eq!(step, CurriculumConfig::Fixed(Strategy::Global));
    }
}

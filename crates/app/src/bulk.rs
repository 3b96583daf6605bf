//! Bulk paths for loading many complaints at once (benchmarks, imports):
//! the same rules and the same writes as requests, without reading each
//! complaint back between its steps.

use crate::complaints::Env;
use crate::{AppError, AppResult, Principal, Services};
use tousu_domain::lifecycle::decide;
use tousu_domain::{Action, Complaint, Timestamp};

impl Services {
    /// Walks one complaint through `steps` (who, what, when), in order:
    /// each decided by the lifecycle rules and completed as a request's
    /// would be (the callback's extra service, the closing defect), then
    /// appended. Nobody else may write the complaint meanwhile (a
    /// concurrent write makes it answer the version conflict). Answers the
    /// complaint after the last step.
    pub async fn walk_complaint(
        &self,
        mut c: Complaint,
        steps: &[(Principal, Action, Timestamp)],
    ) -> AppResult<Complaint> {
        let org = self.org(c.company_id).await?;
        let book = self.policy();
        let days = self.working_days(&org.company.timezone);
        let policy = book.resolve(&org.company.code, &c.project.code).clone();
        for (who, action, at) in steps {
            if who.company_id != c.company_id {
                return Err(AppError::forbidden("不是本公司的投诉", "not a complaint of your company"));
            }
            let env =
                Env { now: (*at).max(c.updated_at), policy: policy.clone(), days: days.clone(), org: org.clone() };
            let actor = who.actor();
            let mut decision = decide(&c, &actor, action, &env.context())?;
            self.complete_decision(&c, &mut decision, env.now).await?;
            let event = decision.into_event(&c, actor, env.now);
            c.apply(&event);
            self.store.append_event(&event, &c).await?;
        }
        Ok(c)
    }
}

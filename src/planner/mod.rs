//! Planner (pure): requirements, catalogue matching, settings translation, the plan.

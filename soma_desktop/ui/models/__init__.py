"""Models registry views: table model, detail, targets with claims, embedding map."""
